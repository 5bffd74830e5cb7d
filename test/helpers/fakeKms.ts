import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SigningKey, computeAddress, getBytes, hexlify } from 'ethers';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

interface FakeKey {
  spec: string;
  signingKey?: SigningKey;
  publicKey: KeyObject;
}

export interface FakeKms {
  endpoint: string;
  /** Creates a key inside the fake and returns its id and Ethereum address (computed here, not by Custos code). */
  createKey(spec?: 'ECC_SECG_P256K1' | 'ECC_NIST_P256'): { keyId: string; address: string };
  /** Every Sign and DescribeKey answer from now on is a ThrottlingException, until set back to false. */
  throttle: boolean;
  highSServed: number;
  signCalls: number;
  /** Requests received per operation (`DescribeKey`, `GetPublicKey`, `Sign`), throttled ones included. */
  requests: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * A local endpoint that speaks the AWS KMS JSON 1.1 protocol (GetPublicKey, DescribeKey, Sign) for the real @aws-sdk/client-kms,
 * and signs with real secp256k1 keys. Like KMS it returns DER signatures whose s may be in the upper half.
 */
export async function startFakeKms(): Promise<FakeKms> {
  const keys = new Map<string, FakeKey>();
  const state = { throttle: false, highSServed: 0, signCalls: 0, requests: {} as Record<string, number> };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const reply = (status: number, payload: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      const fail = (type: string, message: string) => reply(400, { __type: type, message });
      if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256'))
        return fail('UnrecognizedClientException', 'unsigned');
      const target = String(req.headers['x-amz-target']);
      const operation = target.replace('TrentService.', '');
      state.requests[operation] = (state.requests[operation] ?? 0) + 1;
      const input = JSON.parse(body) as { KeyId: string; Message?: string; MessageType?: string };
      const key = keys.get(input.KeyId);
      if (!key) return fail('NotFoundException', `key ${input.KeyId} not found`);
      if (state.throttle && target !== 'TrentService.GetPublicKey')
        return fail('ThrottlingException', 'Rate exceeded');
      if (target === 'TrentService.DescribeKey') {
        return reply(200, {
          KeyMetadata: {
            KeyId: input.KeyId,
            KeyState: 'Enabled',
            KeySpec: key.spec,
            KeyUsage: 'SIGN_VERIFY',
          },
        });
      }
      if (target === 'TrentService.GetPublicKey') {
        return reply(200, {
          KeyId: input.KeyId,
          KeySpec: key.spec,
          KeyUsage: 'SIGN_VERIFY',
          PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          SigningAlgorithms: ['ECDSA_SHA_256'],
        });
      }
      if (target === 'TrentService.Sign') {
        state.signCalls++;
        if (input.MessageType !== 'DIGEST' || !key.signingKey)
          return fail('ValidationException', 'unsupported');
        const signature = key.signingKey.sign(hexlify(Buffer.from(input.Message!, 'base64')));
        let s = BigInt(signature.s);
        if (state.signCalls % 2 === 0) {
          s = N - s; // equally valid; KMS does not normalise
          state.highSServed++;
        }
        return reply(200, {
          KeyId: input.KeyId,
          Signature: derSignature(BigInt(signature.r), s).toString('base64'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        });
      }
      return fail('UnknownOperationException', target);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    createKey(spec: 'ECC_SECG_P256K1' | 'ECC_NIST_P256' = 'ECC_SECG_P256K1') {
      const curve = spec === 'ECC_SECG_P256K1' ? 'secp256k1' : 'prime256v1';
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const d = privateKey.export({ format: 'jwk' }).d!;
      const keyId = randomUUID();
      const signingKey =
        spec === 'ECC_SECG_P256K1' ? new SigningKey(hexlify(Buffer.from(d, 'base64url'))) : undefined;
      keys.set(keyId, { spec, signingKey, publicKey });
      return { keyId, address: signingKey ? computeAddress(signingKey.publicKey) : '' };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** DER-encodes (r, s) as ECDSA-Sig-Value, with the leading 0x00 a high bit requires. */
export function derSignature(r: bigint, s: bigint): Buffer {
  const integer = (value: bigint) => {
    let bytes = Buffer.from(getBytes(`0x${value.toString(16).padStart(64, '0')}`));
    while (bytes.length > 1 && bytes[0] === 0 && !(bytes[1]! & 0x80)) bytes = bytes.subarray(1);
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

// Microseconds per operation on the attestation's cryptography: ethers (what the hot path used) next to what it
// uses now. One process, sequential calls after a warm-up; the figures move with the machine's load, the ratios
// much less. Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { SigningKey, TypedDataEncoder, Wallet, recoverAddress } from 'ethers';
import {
  ATTESTATION_TYPES,
  attestationDigest,
  custosDomain,
  type AttestationMessage,
} from '../../src/issuer/index.js';
import { policyIdOf } from '../../src/chain/index.js';
import { serializeSignature, toEthereumSignature } from '../../src/signers/index.js';
import { signDigestWith, uncompressedPublicKey } from '../../src/signers/secp256k1.js';

const hex = (bytes: number) => `0x${randomBytes(bytes).toString('hex')}`;

/** Median of five rounds of `runs` calls, in µs per call. */
function microseconds(operation: (i: number) => unknown, runs: number): number {
  for (let i = 0; i < runs; i++) operation(i);
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const started = performance.now();
    for (let i = 0; i < runs; i++) operation(i);
    rounds.push(((performance.now() - started) * 1000) / runs);
  }
  return rounds.sort((a, b) => a - b)[2]!;
}

export function runCryptoBenchmark(): void {
  const wallet = Wallet.createRandom();
  const key = new SigningKey(wallet.privateKey);
  const privateKey = Buffer.from(wallet.privateKey.slice(2), 'hex');
  const publicKey = uncompressedPublicKey(Buffer.from(key.publicKey.slice(2), 'hex'));
  const domain = custosDomain(31337, Wallet.createRandom().address);
  const messages: AttestationMessage[] = Array.from({ length: 64 }, () => ({
    uid: hex(32),
    subject: Wallet.createRandom().address,
    policyId: policyIdOf('kyc-basic'),
    issuedAt: 1_800_000_000,
    expiresAt: 1_800_086_400,
  }));
  const digests = messages.map((m) => attestationDigest(domain, m));
  // What an HSM or KMS hands back: r and s, half of them with the high s the gatekeeper refuses.
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const raw = digests.map((d, i) => {
    const signature = key.sign(d);
    return { r: BigInt(signature.r), s: i % 2 ? N - BigInt(signature.s) : BigInt(signature.s) };
  });

  const rows: [string, string, number, string, number][] = [
    [
      'EIP-712 digest',
      'ethers TypedDataEncoder.hash',
      microseconds((i) => TypedDataEncoder.hash(domain, ATTESTATION_TYPES, messages[i % 64]!), 300),
      'attestationDigest',
      microseconds((i) => attestationDigest(domain, messages[i % 64]!), 3000),
    ],
    [
      'sign (local signer)',
      'ethers SigningKey.sign',
      microseconds((i) => key.sign(digests[i % 64]!).serialized, 300),
      'libsecp256k1 signDigestWith',
      microseconds((i) => serializeSignature(signDigestWith(privateKey, digests[i % 64]!)), 3000),
    ],
    [
      'low s and v from (r, s) (pkcs11, aws-kms)',
      'ethers recoverAddress per id',
      microseconds((i) => {
        const { r, s } = raw[i % 64]!;
        const lowS = s > N / 2n ? N - s : s;
        for (const v of [27, 28]) {
          const candidate = {
            r: `0x${r.toString(16).padStart(64, '0')}`,
            s: `0x${lowS.toString(16).padStart(64, '0')}`,
            v,
          };
          if (recoverAddress(digests[i % 64]!, candidate) === wallet.address) return candidate;
        }
        throw new Error('no recovery id');
      }, 100),
      'libsecp256k1 toEthereumSignature',
      microseconds(
        (i) => toEthereumSignature(digests[i % 64]!, raw[i % 64]!.r, raw[i % 64]!.s, publicKey),
        3000,
      ),
    ],
  ];
  console.log("\nthe attestation's cryptography, µs per call (median of 5 rounds)");
  console.log('| operation | before | µs | now | µs | ratio |\n| --- | --- | ---: | --- | ---: | ---: |');
  for (const [operation, before, beforeUs, now, nowUs] of rows) {
    console.log(
      `| ${operation} | ${before} | ${beforeUs.toFixed(1)} | ${now} | ${nowUs.toFixed(1)} | ${(beforeUs / nowUs).toFixed(0)}× |`,
    );
  }
}

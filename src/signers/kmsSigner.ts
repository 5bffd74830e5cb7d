import {
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
  type KMSClientConfig,
} from '@aws-sdk/client-kms';
import { getBytes } from 'ethers';
import {
  addressOfPublicKey,
  parseDerSignature,
  publicKeyFromSpki,
  toEthereumSignature,
} from './secp256k1.js';
import { SignatureVerificationError, type AttestationSigner } from './signer.js';

/**
 * AWS KMS signer for an `ECC_SECG_P256K1` key: the private key never leaves KMS. KMS returns DER signatures with
 * either s; they are normalised to low-s and given the recovery id that yields the key's address.
 */
export class KmsSigner implements AttestationSigner {
  readonly backend = 'aws-kms' as const;

  private constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
    readonly address: string,
  ) {}

  static async connect(keyId: string, config: KMSClientConfig = {}): Promise<KmsSigner> {
    const client = new KMSClient(config);
    const key = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (key.KeySpec !== 'ECC_SECG_P256K1') {
      throw new Error(`KMS key ${keyId} is ${key.KeySpec}, expected ECC_SECG_P256K1`);
    }
    if (!key.PublicKey) throw new Error(`KMS key ${keyId} returned no public key`);
    return new KmsSigner(client, keyId, addressOfPublicKey(publicKeyFromSpki(key.PublicKey)));
  }

  async signDigest(digest: string) {
    const response = await this.client.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: getBytes(digest),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!response.Signature) throw new Error(`KMS key ${this.keyId} returned no signature`);
    const { r, s } = parseDerSignature(response.Signature);
    try {
      // Recovery is the verification: it picks the recovery id whose public key is this key's.
      return toEthereumSignature(digest, r, s, this.address);
    } catch (error) {
      throw new SignatureVerificationError(this.backend, this.address, { cause: error });
    }
  }

  /** DescribeKey: reachable, authorised, and the key still enabled. */
  async ping() {
    const { KeyMetadata } = await this.client.send(new DescribeKeyCommand({ KeyId: this.keyId }));
    if (KeyMetadata?.KeyState !== 'Enabled')
      throw new Error(`KMS key ${this.keyId} is ${KeyMetadata?.KeyState}`);
  }

  destroy(): void {
    this.client.destroy();
  }
}

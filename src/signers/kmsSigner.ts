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
  signRecoverably,
  uncompressedPublicKey,
} from './secp256k1.js';
import type { AttestationSigner } from './signer.js';

/**
 * AWS KMS signer for an `ECC_SECG_P256K1` key: the private key never leaves KMS. KMS returns DER signatures with
 * either s; they are normalised to low-s and given the recovery id that yields the key's address.
 */
export class KmsSigner implements AttestationSigner {
  readonly backend = 'aws-kms' as const;

  readonly address: string;

  private constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
    /** Uncompressed: what each signature must recover to. */
    readonly publicKey: Uint8Array,
  ) {
    this.address = addressOfPublicKey(publicKey);
  }

  static async connect(keyId: string, config: KMSClientConfig = {}): Promise<KmsSigner> {
    const client = new KMSClient(config);
    const key = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (key.KeySpec !== 'ECC_SECG_P256K1') {
      throw new Error(`KMS key ${keyId} is ${key.KeySpec}, expected ECC_SECG_P256K1`);
    }
    if (!key.PublicKey) throw new Error(`KMS key ${keyId} returned no public key`);
    return new KmsSigner(client, keyId, uncompressedPublicKey(publicKeyFromSpki(key.PublicKey)));
  }

  /**
   * One KMS Sign call: a signature that is not this key's is refused, not retried (each call is billed and counts
   * against the account's quota, and KMS does not produce bad signatures by chance).
   */
  async signDigest(digest: string) {
    return signRecoverably(this, digest, () => this.signOnce(digest), 1);
  }

  private async signOnce(digest: string): Promise<{ r: bigint; s: bigint }> {
    const response = await this.client.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: getBytes(digest),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (!response.Signature) throw new Error(`KMS key ${this.keyId} returned no signature`);
    return parseDerSignature(response.Signature);
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

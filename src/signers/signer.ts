import type { Signature } from 'ethers';

export type SignerBackend = 'local' | 'pkcs11' | 'aws-kms';

/** A Custos signing key: it signs 32-byte digests (EIP-712 hashes) and never hands out its private key. */
export interface AttestationSigner {
  readonly backend: SignerBackend;
  /** The Ethereum address of the key, checksummed. */
  readonly address: string;
  /** A canonical (low-s, v ∈ {27, 28}) signature over `digest` that recovers to {@link address}. */
  signDigest(digest: string): Promise<Signature>;
  /** Resolves when the key can be reached (for readiness checks); signs nothing. */
  ping(): Promise<void>;
}

/** Thrown when a backend's signature does not recover to the key's address; the signature never leaves. */
export class SignatureVerificationError extends Error {
  constructor(backend: SignerBackend, address: string, options?: { cause?: unknown }) {
    super(`${backend} signer produced a signature that does not recover to ${address}`, options);
    this.name = 'SignatureVerificationError';
  }
}

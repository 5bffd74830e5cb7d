import { Signature, computeAddress } from 'ethers';
// The native addon itself (libsecp256k1): the package's main entry would fall back to pure JavaScript silently. With
// its file extension: the package has no exports map, and Node's ESM resolver (the built image) needs the file.
import secp256k1 from 'secp256k1/bindings.js';
import { SignatureVerificationError, type SignerBackend } from './signer.js';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N / 2n;
const DIGEST = /^0x[0-9a-fA-F]{64}$/;

/** The 32 bytes of a 0x-prefixed digest; anything else is refused rather than signed. */
function digestBytes(digest: string): Buffer {
  if (!DIGEST.test(digest)) throw new TypeError('a digest is 0x followed by 64 hex digits');
  return Buffer.from(digest.slice(2), 'hex');
}

/** r || s (64 bytes) and a recovery id as an ethers Signature (v = 27 + recovery id). */
function ethereumSignature(compact: Uint8Array, recoveryId: number): Signature {
  return Signature.from(`0x${Buffer.from(compact).toString('hex')}${recoveryId === 0 ? '1b' : '1c'}`);
}

/** A signature's 65-byte r || s || v form, as contracts take it (what `Signature.serialized` gives, cheaper). */
export function serializeSignature(signature: Signature): string {
  return `${signature.r}${signature.s.slice(2)}${signature.v === 27 ? '1b' : '1c'}`;
}

/** The 65-byte uncompressed form of a secp256k1 public key (compressed or uncompressed); throws off the curve. */
export function uncompressedPublicKey(publicKey: Uint8Array): Uint8Array {
  return secp256k1.publicKeyConvert(publicKey, false);
}

/**
 * RFC 6979 signing with libsecp256k1: low s, and the recovery id computed alongside, so the signature recovers to
 * the key's address by construction. Byte for byte the signature ethers' SigningKey.sign makes.
 */
export function signDigestWith(privateKey: Uint8Array, digest: string): Signature {
  const { signature, recid } = secp256k1.ecdsaSign(digestBytes(digest), privateKey);
  return ethereumSignature(signature, recid);
}

/** Reads the two INTEGERs of an ASN.1 DER `ECDSA-Sig-Value` (SEQUENCE { r INTEGER, s INTEGER }). */
export function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } {
  let offset = 0;
  const expect = (tag: number) => {
    if (der[offset++] !== tag) throw new Error(`DER signature: expected tag 0x${tag.toString(16)}`);
    let length = der[offset++]!;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i++) length = (length << 8) | der[offset++]!;
    }
    return length;
  };
  const sequenceLength = expect(0x30);
  if (offset + sequenceLength !== der.length) throw new Error('DER signature: length mismatch');
  const integer = () => {
    const length = expect(0x02);
    if (length === 0 || length > 33) throw new Error('DER signature: integer out of range');
    const value = BigInt(`0x${Buffer.from(der.subarray(offset, offset + length)).toString('hex')}`);
    offset += length;
    return value;
  };
  const r = integer();
  const s = integer();
  if (offset !== der.length) throw new Error('DER signature: trailing bytes');
  if (r === 0n || r >= N || s === 0n || s >= N) throw new Error('DER signature: r or s out of range');
  return { r, s };
}

/**
 * Turns an (r, s) pair from an HSM or KMS into an Ethereum signature: s normalised to the lower half of the curve
 * order (the gatekeeper rejects the other), and v found by recovering the public key with each recovery id
 * (libsecp256k1) and comparing it with the key's own `publicKey` (uncompressed). Recovery is the verification: a
 * public key recovered from (r, s, digest) is one the signature is valid for, so a signature that recovers to
 * neither id's key is refused.
 */
export function toEthereumSignature(digest: string, r: bigint, s: bigint, publicKey: Uint8Array): Signature {
  if (r <= 0n || r >= N || s <= 0n || s >= N) throw new UnrecoverableSignatureError('r or s is out of range');
  const lowS = s > HALF_N ? N - s : s;
  const compact = Buffer.from(
    `${r.toString(16).padStart(64, '0')}${lowS.toString(16).padStart(64, '0')}`,
    'hex',
  );
  const message = digestBytes(digest);
  for (const recoveryId of [0, 1]) {
    let recovered: Uint8Array;
    try {
      recovered = secp256k1.ecdsaRecover(compact, recoveryId, message, false);
    } catch {
      continue; // no point for this recovery id
    }
    if (Buffer.compare(recovered, publicKey) === 0) return ethereumSignature(compact, recoveryId);
  }
  throw new UnrecoverableSignatureError('it does not recover to the public key with either recovery id');
}

/** An (r, s) pair that is no signature by the expected key over the digest. */
export class UnrecoverableSignatureError extends Error {
  constructor(problem: string) {
    super(`signature refused: ${problem}`);
    this.name = 'UnrecoverableSignatureError';
  }
}

/** The key a backend signs with, as {@link signRecoverably} checks its answers. */
export interface BackendKey {
  backend: SignerBackend;
  address: string;
  /** Uncompressed (0x04 || X || Y). */
  publicKey: Uint8Array;
}

/**
 * Runs `sign` (one HSM or KMS operation answering r and s) until its answer is a signature by `key` over `digest`
 * (see toEthereumSignature), at most `attempts` times; then SignatureVerificationError, and the bad signature never
 * leaves. An error from `sign` itself is not retried.
 */
export async function signRecoverably(
  key: BackendKey,
  digest: string,
  sign: () => Promise<{ r: bigint; s: bigint }>,
  attempts: number,
): Promise<Signature> {
  for (let attempt = 1; ; attempt++) {
    const { r, s } = await sign();
    try {
      return toEthereumSignature(digest, r, s, key.publicKey);
    } catch (error) {
      if (attempt >= attempts)
        throw new SignatureVerificationError(key.backend, key.address, { cause: error });
    }
  }
}

/** The Ethereum address of an uncompressed (0x04 || X || Y) or compressed secp256k1 public key. */
export function addressOfPublicKey(publicKey: Uint8Array): string {
  return computeAddress(`0x${Buffer.from(publicKey).toString('hex')}`);
}

/**
 * The public key inside a DER SubjectPublicKeyInfo for secp256k1 (what KMS GetPublicKey returns): the BIT STRING
 * at the end holds 0x04 || X || Y.
 */
export function publicKeyFromSpki(spki: Uint8Array): Uint8Array {
  const point = spki.subarray(spki.length - 65);
  if (point[0] !== 0x04 || spki[spki.length - 66] !== 0x00)
    throw new Error('SubjectPublicKeyInfo: no uncompressed point');
  return point;
}

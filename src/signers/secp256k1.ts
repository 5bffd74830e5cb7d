import { Signature, computeAddress, recoverAddress, toBeHex } from 'ethers';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N / 2n;

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
 * order (the gatekeeper rejects the other), and v found by trying both recovery ids against the key's address.
 */
export function toEthereumSignature(
  digest: string,
  r: bigint,
  s: bigint,
  expectedAddress: string,
): Signature {
  const lowS = s > HALF_N ? N - s : s;
  for (const v of [27, 28]) {
    const candidate = Signature.from({ r: toBeHex(r, 32), s: toBeHex(lowS, 32), v });
    if (recoverAddress(digest, candidate) === expectedAddress) return candidate;
  }
  throw new Error(`signature does not recover to ${expectedAddress} with either recovery id`);
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

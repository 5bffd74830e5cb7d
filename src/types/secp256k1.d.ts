// The parts of the native secp256k1 binding (secp256k1 5.x, `secp256k1/bindings.js`: libsecp256k1 through N-API) that
// Custos uses. The package's main entry silently falls back to pure JavaScript (elliptic) when the addon cannot load;
// the bindings entry throws instead.
declare module 'secp256k1/bindings.js' {
  const secp256k1: {
    /** RFC 6979 signature over a 32-byte digest: 64 bytes r || s with s in the lower half, and the recovery id. */
    ecdsaSign(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number };
    /** The public key (65 bytes uncompressed when `compressed` is false); throws when none can be recovered. */
    ecdsaRecover(signature: Uint8Array, recid: number, digest: Uint8Array, compressed: boolean): Uint8Array;
    /** Parses a compressed or uncompressed key (throws when it is not on the curve) and re-encodes it. */
    publicKeyConvert(publicKey: Uint8Array, compressed: boolean): Uint8Array;
  };
  export default secp256k1;
}

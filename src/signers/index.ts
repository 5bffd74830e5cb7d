// Signing keys: one interface, three backends (local keystore for development, AWS KMS, PKCS#11 HSM).
export { KmsSigner } from './kmsSigner.js';
export { LocalSigner } from './localSigner.js';
export { Pkcs11Signer, type Pkcs11Options } from './pkcs11Signer.js';
export { parseDerSignature, serializeSignature, toEthereumSignature } from './secp256k1.js';
export { type AttestationSigner, type SignerBackend } from './signer.js';

// Signing keys over their life: the active key, its on-chain trust window, rotation.
export { KeyManager, type KeyView, type RotateRequest } from './keyManager.js';
export { closeSigner, configuredKey, openOperator, openSigner, type KeyReference } from './openSigner.js';

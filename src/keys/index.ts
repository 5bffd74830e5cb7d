// Signing keys over their life: the active key, its on-chain trust window, rotation.
export { KeyManager, type KeyView, type RotateRequest } from './keyManager.js';
export { openOperator, type KeyReference } from './openSigner.js';

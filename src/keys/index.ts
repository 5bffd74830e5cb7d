// Signing keys over their life: the active key, its on-chain trust window, rotation.
export { KeyManager, type KeyView, type RotateRequest } from './keyManager.js';
export { DEV_KEYSTORE_PASSWORD, openOperator, type KeyReference } from './openSigner.js';

import path from 'node:path';
import { Wallet, type Signer } from 'ethers';
import { ANVIL_DEFAULT_PRIVATE_KEY } from '../chain/anvil.js';
import { BackedSigner } from '../chain/backedSigner.js';
import type { Env } from '../config/index.js';
import {
  KmsSigner,
  LocalSigner,
  Pkcs11Signer,
  type AttestationSigner,
  type SignerBackend,
} from '../signers/index.js';

/** What identifies a key within its backend: a keystore path, a PKCS#11 label, a KMS key id. */
export interface KeyReference {
  backend: SignerBackend;
  keyRef: string;
  /** For a key Custos recorded: the address it must open as (never recreated, never silently another key). */
  address?: string;
}

/** The key the configuration names, used until a rotation has made another key active. */
export function configuredKey(env: Env): KeyReference {
  switch (env.SIGNER ?? 'local') {
    case 'aws-kms':
      return { backend: 'aws-kms', keyRef: env.KMS_KEY_ID! };
    case 'pkcs11':
      return { backend: 'pkcs11', keyRef: env.PKCS11_KEY_LABEL! };
    case 'local':
      return {
        backend: 'local',
        keyRef: env.LOCAL_KEYSTORE_FILE ?? path.join(env.CUSTOS_DATA_DIR, 'keys', 'signer.json'),
      };
  }
}

/** The development keystore password when none is configured (embedded mode only; production requires one). */
export const DEV_KEYSTORE_PASSWORD = 'custos-development-only';

/**
 * Opens a key. A recorded key (`key.address` set) must open as that address: a keystore file lost and recreated, an
 * HSM token re-initialised with the same label or a KMS alias moved would otherwise sign as a key the gatekeeper
 * does not trust (every attestation refused on-chain) or, worse, one nobody recorded.
 */
export async function openSigner(
  key: KeyReference,
  env: Env,
  warn: (message: string) => void,
): Promise<AttestationSigner> {
  const signer = await openBackend(key, env, warn);
  if (key.address && signer.address.toLowerCase() !== key.address.toLowerCase()) {
    closeSigner(signer);
    throw new Error(
      `signing key ${key.keyRef} (${key.backend}) opens as ${signer.address}, but Custos recorded it as ${key.address}: the key was replaced; restore the original key (Custos never recreates a recorded key)`,
    );
  }
  return signer;
}

async function openBackend(
  key: KeyReference,
  env: Env,
  warn: (message: string) => void,
): Promise<AttestationSigner> {
  switch (key.backend) {
    case 'local':
      return LocalSigner.open(key.keyRef, env.LOCAL_KEYSTORE_PASSWORD ?? DEV_KEYSTORE_PASSWORD, warn, {
        create: !key.address,
      });
    case 'pkcs11':
      return Pkcs11Signer.open({
        module: env.PKCS11_MODULE!,
        pin: env.PKCS11_PIN!,
        tokenLabel: env.PKCS11_TOKEN_LABEL,
        keyLabel: key.keyRef,
      });
    case 'aws-kms':
      return KmsSigner.connect(key.keyRef, {
        region: env.AWS_REGION,
        ...(env.KMS_ENDPOINT ? { endpoint: env.KMS_ENDPOINT } : {}),
      });
  }
}

export function closeSigner(signer: AttestationSigner): void {
  if (signer instanceof Pkcs11Signer) signer.close();
  if (signer instanceof KmsSigner) signer.destroy();
}

/**
 * The operator account's key: in KMS or the HSM when configured (it then never sits in memory), else the raw key
 * from OPERATOR_PRIVATE_KEY, else (embedded chain only) anvil's first account.
 */
export async function openOperator(
  env: Env,
  warn: (message: string) => void,
): Promise<{ signer: Signer; close(): void }> {
  const backed = env.OPERATOR_KMS_KEY_ID
    ? await openSigner({ backend: 'aws-kms', keyRef: env.OPERATOR_KMS_KEY_ID }, env, warn)
    : env.OPERATOR_PKCS11_KEY_LABEL
      ? await openSigner({ backend: 'pkcs11', keyRef: env.OPERATOR_PKCS11_KEY_LABEL }, env, warn)
      : undefined;
  if (backed) return { signer: new BackedSigner(backed), close: () => closeSigner(backed) };
  if (env.OPERATOR_PRIVATE_KEY && env.RPC_URL) {
    warn(
      'OPERATOR_PRIVATE_KEY holds the operator key in the environment; prefer OPERATOR_KMS_KEY_ID or OPERATOR_PKCS11_KEY_LABEL.',
    );
  }
  return { signer: new Wallet(env.OPERATOR_PRIVATE_KEY ?? ANVIL_DEFAULT_PRIVATE_KEY), close: () => {} };
}

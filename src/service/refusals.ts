import { existsSync } from 'node:fs';
import { HDNodeWallet, Wallet } from 'ethers';
import { anvilBinary } from '../chain/index.js';
import { ConfigError, type Env } from '../config/index.js';

/** anvil's (and hardhat's) default chain id: a local development chain. */
const DEVELOPMENT_CHAIN_ID = 31337;
/** The public mnemonic anvil derives its funded default accounts from: their keys are everyone's. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
const ANVIL_ACCOUNTS = 10;

const refuse = (message: string) => new ConfigError(`invalid configuration: ${message}`);

/**
 * What the environment alone cannot tell and start-up must refuse before it starts anything: a keystore that is not
 * there for a configured chain (it would be created: a new key nobody trusts), and an embedded chain where anvil is
 * not installed (the image ships without it: production needs RPC_URL).
 */
export function refuseUnsafeStart(env: Env): void {
  if (env.RPC_URL && env.SIGNER === 'local' && !existsSync(env.LOCAL_KEYSTORE_FILE!)) {
    throw refuse(
      `LOCAL_KEYSTORE_FILE ${env.LOCAL_KEYSTORE_FILE} does not exist: with RPC_URL set Custos opens an existing keystore and never creates one`,
    );
  }
  if (!env.RPC_URL && !anvilInstalled()) {
    throw refuse(
      'RPC_URL is required here: the embedded development chain needs anvil (@foundry-rs/anvil, a development dependency), which is not installed',
    );
  }
}

/**
 * The operator key holds the registry's publisher role: one of anvil's well-known keys would let anyone revoke
 * attestations and publish roots. Refused on any chain but a local development one.
 */
export function refuseDevelopmentOperatorKey(env: Env, chainId: number): void {
  if (!env.OPERATOR_PRIVATE_KEY || chainId === DEVELOPMENT_CHAIN_ID) return;
  const address = new Wallet(env.OPERATOR_PRIVATE_KEY).address;
  const root = HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, "m/44'/60'/0'/0");
  for (let i = 0; i < ANVIL_ACCOUNTS; i++) {
    if (root.deriveChild(i).address === address) {
      throw refuse(
        `OPERATOR_PRIVATE_KEY is anvil's public development account ${i} (${address}): anyone can sign with it; chain ${chainId} needs a key of its own`,
      );
    }
  }
}

/** Accepted on purpose but worth saying at every start: each is a development shortcut or a missing safeguard. */
export function startupWarnings(env: Env): string[] {
  const warnings: string[] = [];
  if (env.RPC_URL && env.SIGNER === 'local') {
    warnings.push(
      `ALLOW_LOCAL_SIGNER=true: attestations for the configured chain are signed with the key in ${env.LOCAL_KEYSTORE_FILE}, a file on disk held in process memory; use aws-kms or pkcs11`,
    );
  }
  if (env.DATABASE_URL && !env.RPC_URL) {
    warnings.push(
      'ALLOW_EMBEDDED_CHAIN=true: the database records attestations for an embedded throwaway chain; never point this at a production database',
    );
  }
  if (env.RPC_URL && !env.AUDIT_ANCHOR_ADDRESS) {
    warnings.push('AUDIT_ANCHOR_ADDRESS is not set: the audit log is not anchored on-chain');
  }
  return warnings;
}

function anvilInstalled(): boolean {
  try {
    return existsSync(anvilBinary());
  } catch {
    return false;
  }
}

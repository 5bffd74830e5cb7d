import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pkcs11Signer } from '../../src/signers/index.js';

const MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
];

/** SoftHSM2's PKCS#11 module, when the Debian package softhsm2 is installed. */
export const softHsmModule = MODULE_CANDIDATES.find((candidate) => existsSync(candidate));

export interface SoftHsmToken {
  module: string;
  tokenLabel: string;
  pin: string;
  remove(): void;
}

/**
 * A fresh SoftHSM2 token in its own directory. SOFTHSM2_CONF is set for this process (the module reads it when it
 * is initialised), so call this before opening any PKCS#11 signer.
 */
export function initSoftHsmToken(tokenLabel = 'custos-test', pin = '123456'): SoftHsmToken {
  if (!softHsmModule) throw new Error('softhsm2 is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'custos-softhsm-'));
  mkdirSync(path.join(dir, 'tokens'));
  const conf = path.join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = conf;
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', tokenLabel, '--so-pin', '0000', '--pin', pin],
    {
      env: process.env,
      stdio: 'ignore',
    },
  );
  return {
    module: softHsmModule,
    tokenLabel,
    pin,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A secp256k1 key generated in `token`, and the environment that makes it a service's signer. */
export async function softHsmSignerEnv(
  token: SoftHsmToken,
  keyLabel: string,
): Promise<Record<string, string>> {
  await Pkcs11Signer.generateKey({
    module: token.module,
    pin: token.pin,
    tokenLabel: token.tokenLabel,
    keyLabel,
  });
  return {
    SIGNER: 'pkcs11',
    PKCS11_MODULE: token.module,
    PKCS11_PIN: token.pin,
    PKCS11_TOKEN_LABEL: token.tokenLabel,
    PKCS11_KEY_LABEL: keyLabel,
    SOFTHSM2_CONF: process.env.SOFTHSM2_CONF!,
  };
}

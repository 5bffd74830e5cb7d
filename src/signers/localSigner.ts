import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HDNodeWallet, Wallet, getBytes } from 'ethers';
import { signDigestWith } from './secp256k1.js';
import type { AttestationSigner } from './signer.js';

/**
 * Development signer: a key in an encrypted (scrypt) keystore file. The key sits in this process's memory, which
 * is exactly what KMS and HSM keys avoid; never use it in production.
 */
export class LocalSigner implements AttestationSigner {
  readonly backend = 'local' as const;
  readonly address: string;
  readonly #privateKey: Uint8Array;

  private constructor(privateKey: Uint8Array, address: string) {
    this.#privateKey = privateKey;
    this.address = address;
  }

  /** Opens the keystore at `file`, creating a fresh key there first if it does not exist (unless `create` is false). */
  static async open(
    file: string,
    password: string,
    warn: (message: string) => void,
    { create = true } = {},
  ): Promise<LocalSigner> {
    warn(
      'SIGNER=local: the signing key is a keystore file in process memory. Development only; use aws-kms or pkcs11.',
    );
    let wallet: Wallet | HDNodeWallet;
    if (existsSync(file)) {
      wallet = await Wallet.fromEncryptedJson(readFileSync(file, 'utf8'), password).catch((cause) => {
        throw new Error(`keystore ${file} cannot be opened: ${(cause as Error).message.split(' (')[0]}`, {
          cause,
        });
      });
    } else if (!create) {
      throw new Error(`keystore ${file} is missing: restore it (a recorded key is never recreated)`);
    } else {
      wallet = Wallet.createRandom();
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, await wallet.encrypt(password), { mode: 0o600 });
    }
    return new LocalSigner(getBytes(wallet.privateKey), wallet.address);
  }

  /** The key is in memory: always reachable. */
  async ping() {}

  /** RFC 6979 signing (libsecp256k1) with the recovery id computed alongside: it recovers to the address. */
  async signDigest(digest: string) {
    return signDigestWith(this.#privateKey, digest);
  }
}

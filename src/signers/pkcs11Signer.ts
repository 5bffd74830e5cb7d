import pkcs11js from 'pkcs11js';
import { getBytes } from 'ethers';
import { addressOfPublicKey, signRecoverably, uncompressedPublicKey } from './secp256k1.js';
import type { AttestationSigner } from './signer.js';

export interface Pkcs11Options {
  /** Path of the PKCS#11 module (for SoftHSM2: /usr/lib/softhsm/libsofthsm2.so). */
  module: string;
  pin: string;
  /** CKA_LABEL of the key pair. */
  keyLabel: string;
  /** Token label; the first slot with a token when omitted. */
  tokenLabel?: string;
  /** Sessions signing in parallel (a session runs one operation at a time). */
  sessions?: number;
}

/** DER OID of secp256k1 (1.3.132.0.10), the CKA_EC_PARAMS of an Ethereum key. */
const SECP256K1_PARAMS = Buffer.from('06052b8104000a', 'hex');
/** Attempts before a signature that fails to recover is reported: SoftHSM2 has been seen to emit bad ones. */
const SIGN_ATTEMPTS = 3;

/**
 * One loaded PKCS#11 module per process: Cryptoki allows a single C_Initialize, and login state is shared by every
 * session of the application on a token.
 */
class Pkcs11Token {
  private static readonly loaded = new Map<string, Pkcs11Token>();
  private users = 0;

  private constructor(
    readonly lib: pkcs11js.PKCS11,
    readonly slot: pkcs11js.Handle,
  ) {}

  static open(module: string, pin: string, tokenLabel?: string): Pkcs11Token {
    const key = `${module}\0${tokenLabel ?? ''}`;
    let token = Pkcs11Token.loaded.get(key);
    if (!token) {
      const lib = new pkcs11js.PKCS11();
      lib.load(module);
      // Signing runs on libuv's thread pool (C_SignAsync), so the module must lock for concurrent callers.
      lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
      try {
        const slot = lib
          .C_GetSlotList(true)
          .find(
            (candidate) =>
              tokenLabel === undefined || lib.C_GetTokenInfo(candidate).label.trim() === tokenLabel,
          );
        if (!slot)
          throw new Error(`PKCS#11: no token${tokenLabel ? ` labelled "${tokenLabel}"` : ''} in ${module}`);
        token = new Pkcs11Token(lib, slot);
        const session = token.openSession();
        try {
          lib.C_Login(session, pkcs11js.CKU_USER, pin);
        } catch (error) {
          if ((error as { code?: number }).code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
            throw new Error(`PKCS#11: login to the token failed (${(error as Error).message.split(':')[0]})`);
          }
        }
      } catch (error) {
        lib.C_Finalize();
        throw error;
      }
      Pkcs11Token.loaded.set(key, token);
    }
    token.users++;
    return token;
  }

  openSession(): pkcs11js.Handle {
    return this.lib.C_OpenSession(this.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  }

  findKey(session: pkcs11js.Handle, objectClass: number, label: string): pkcs11js.Handle | undefined {
    this.lib.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    try {
      const found = this.lib.C_FindObjects(session, 2);
      if (found.length > 1) throw new Error(`PKCS#11: more than one key labelled "${label}"`);
      return found[0];
    } finally {
      this.lib.C_FindObjectsFinal(session);
    }
  }

  release(): void {
    if (--this.users > 0) return;
    for (const [key, token] of Pkcs11Token.loaded) if (token === this) Pkcs11Token.loaded.delete(key);
    this.lib.C_Finalize();
  }
}

/** Reads the uncompressed point from CKA_EC_POINT (a DER OCTET STRING around 0x04 || X || Y, or the bare point). */
function ecPoint(value: Buffer): Uint8Array {
  if (value.length === 67 && value[0] === 0x04 && value[1] === 0x41) return value.subarray(2);
  if (value.length === 65 && value[0] === 0x04) return value;
  throw new Error('PKCS#11: CKA_EC_POINT is not an uncompressed secp256k1 point');
}

/**
 * Signs with a secp256k1 key inside a PKCS#11 token (an HSM; SoftHSM2 in tests). The private key is created in the
 * token as sensitive and non-extractable and never leaves it. Raw (r || s) signatures are normalised to low-s,
 * given their recovery id, and checked to recover to the key's address before they leave.
 */
export class Pkcs11Signer implements AttestationSigner {
  readonly backend = 'pkcs11' as const;
  private readonly idle: pkcs11js.Handle[];
  private readonly waiting: ((session: pkcs11js.Handle) => void)[] = [];
  readonly address: string;

  private constructor(
    private readonly token: Pkcs11Token,
    private readonly sessions: pkcs11js.Handle[],
    private readonly privateKeys: Map<pkcs11js.Handle, pkcs11js.Handle>,
    /** Uncompressed: what each signature must recover to. */
    readonly publicKey: Uint8Array,
  ) {
    this.idle = [...sessions];
    this.address = addressOfPublicKey(publicKey);
  }

  /** Opens the key pair labelled `keyLabel`. */
  static async open(options: Pkcs11Options): Promise<Pkcs11Signer> {
    const token = Pkcs11Token.open(options.module, options.pin, options.tokenLabel);
    const sessions: pkcs11js.Handle[] = [];
    try {
      const privateKeys = new Map<pkcs11js.Handle, pkcs11js.Handle>();
      for (let i = 0; i < (options.sessions ?? 4); i++) {
        const session = token.openSession();
        sessions.push(session);
        const privateKey = token.findKey(session, pkcs11js.CKO_PRIVATE_KEY, options.keyLabel);
        if (!privateKey)
          throw new Error(`PKCS#11: no private key labelled "${options.keyLabel}" on the token`);
        privateKeys.set(session, privateKey);
      }
      const publicKey = token.findKey(sessions[0]!, pkcs11js.CKO_PUBLIC_KEY, options.keyLabel);
      if (!publicKey) throw new Error(`PKCS#11: no public key labelled "${options.keyLabel}" on the token`);
      const [point] = token.lib.C_GetAttributeValue(sessions[0]!, publicKey, [
        { type: pkcs11js.CKA_EC_POINT },
      ]);
      return new Pkcs11Signer(
        token,
        sessions,
        privateKeys,
        uncompressedPublicKey(ecPoint(point!.value as Buffer)),
      );
    } catch (error) {
      for (const session of sessions) token.lib.C_CloseSession(session);
      token.release();
      throw error;
    }
  }

  /** Generates a secp256k1 key pair inside the token (sensitive, non-extractable) and returns its address. */
  static async generateKey(options: Omit<Pkcs11Options, 'sessions'>): Promise<string> {
    const token = Pkcs11Token.open(options.module, options.pin, options.tokenLabel);
    const session = token.openSession();
    try {
      if (token.findKey(session, pkcs11js.CKO_PRIVATE_KEY, options.keyLabel)) {
        throw new Error(`PKCS#11: a key labelled "${options.keyLabel}" already exists`);
      }
      const id = Buffer.from(options.keyLabel);
      await token.lib.C_GenerateKeyPairAsync(
        session,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_VERIFY, value: true },
          { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
          { type: pkcs11js.CKA_ID, value: id },
          { type: pkcs11js.CKA_EC_PARAMS, value: SECP256K1_PARAMS },
        ],
        [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_EXTRACTABLE, value: false },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_LABEL, value: options.keyLabel },
          { type: pkcs11js.CKA_ID, value: id },
        ],
      );
    } finally {
      token.lib.C_CloseSession(session);
      token.release();
    }
    const signer = await Pkcs11Signer.open({ ...options, sessions: 1 });
    signer.close();
    return signer.address;
  }

  async signDigest(digest: string) {
    const session = await this.acquire();
    try {
      return await signRecoverably(this, digest, () => this.signOnce(session, digest), SIGN_ATTEMPTS);
    } finally {
      this.releaseSession(session);
    }
  }

  /** One CKM_ECDSA signature (raw r || s) on `session`, off the event loop. */
  private async signOnce(session: pkcs11js.Handle, digest: string): Promise<{ r: bigint; s: bigint }> {
    this.token.lib.C_SignInit(session, { mechanism: pkcs11js.CKM_ECDSA }, this.privateKeys.get(session)!);
    const raw = await this.token.lib.C_SignAsync(session, Buffer.from(getBytes(digest)), Buffer.alloc(64));
    return {
      r: BigInt(`0x${raw.subarray(0, 32).toString('hex')}`),
      s: BigInt(`0x${raw.subarray(32, 64).toString('hex')}`),
    };
  }

  /** The token answers on one of our sessions. */
  async ping() {
    const session = await this.acquire();
    try {
      this.token.lib.C_GetSessionInfo(session);
    } finally {
      this.releaseSession(session);
    }
  }

  close(): void {
    for (const session of this.sessions) this.token.lib.C_CloseSession(session);
    this.token.release();
  }

  private acquire(): Promise<pkcs11js.Handle> {
    const session = this.idle.pop();
    if (session) return Promise.resolve(session);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private releaseSession(session: pkcs11js.Handle): void {
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }
}

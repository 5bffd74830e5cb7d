import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import { hexlify, randomBytes, recoverAddress } from 'ethers';
import { Pkcs11Signer } from '../../src/signers/index.js';
import { initSoftHsmToken, softHsmModule, type SoftHsmToken } from '../helpers/softhsm.js';
import { requireSystemPackage } from '../helpers/systemPackage.js';

const HALF_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n / 2n;

describe('Pkcs11Signer against SoftHSM2', () => {
  let token: SoftHsmToken | undefined;
  const options = () => ({ module: token!.module, pin: token!.pin, tokenLabel: token!.tokenLabel });
  const setUp = (t: Parameters<typeof requireSystemPackage>[0]) => {
    if (!requireSystemPackage(t, 'softhsm2', softHsmModule !== undefined)) return false;
    token ??= initSoftHsmToken();
    return true;
  };
  after(() => token?.remove());

  it('generates a secp256k1 key inside the token and signs digests that recover to its address', async (t) => {
    if (!setUp(t)) return;
    const address = await Pkcs11Signer.generateKey({ ...options(), keyLabel: 'signer-a' });
    const signer = await Pkcs11Signer.open({ ...options(), keyLabel: 'signer-a' });
    try {
      assert.equal(signer.address, address);
      await signer.ping();
      const recoveryIds = new Set<number>();
      for (let i = 0; i < 25; i++) {
        const digest = hexlify(randomBytes(32));
        const signature = await signer.signDigest(digest);
        assert.equal(recoverAddress(digest, signature), address);
        assert.ok(BigInt(signature.s) <= HALF_N, 'low s');
        recoveryIds.add(signature.yParity);
      }
      assert.deepEqual([...recoveryIds].sort(), [0, 1], 'both recovery ids were picked');
    } finally {
      signer.close();
    }
  });

  it('keeps the private key sensitive and non-extractable', async (t) => {
    if (!setUp(t)) return;
    await Pkcs11Signer.generateKey({ ...options(), keyLabel: 'signer-b' });
    // Look at the key with a separate PKCS#11 view, as an attacker with the PIN would.
    const lib = new pkcs11js.PKCS11();
    lib.load(token!.module);
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    try {
      const [slot] = lib.C_GetSlotList(true);
      const session = lib.C_OpenSession(slot!, pkcs11js.CKF_SERIAL_SESSION);
      lib.C_Login(session, pkcs11js.CKU_USER, token!.pin);
      lib.C_FindObjectsInit(session, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_LABEL, value: 'signer-b' },
      ]);
      const [key] = lib.C_FindObjects(session, 1);
      lib.C_FindObjectsFinal(session);
      const [sensitive, extractable] = lib.C_GetAttributeValue(session, key!, [
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_EXTRACTABLE },
      ]);
      assert.equal((sensitive!.value as Buffer)[0], 1);
      assert.equal((extractable!.value as Buffer)[0], 0);
      assert.throws(
        () => lib.C_GetAttributeValue(session, key!, [{ type: pkcs11js.CKA_VALUE }]),
        /SENSITIVE/,
      );
    } finally {
      lib.C_Finalize();
    }
  });

  // Without CKF_OS_LOCKING_OK this corrupts the module's memory (a crash, or a spin that the timeout turns into a failure).
  it('signs concurrently over its session pool', { timeout: 60_000 }, async (t) => {
    if (!setUp(t)) return;
    await Pkcs11Signer.generateKey({ ...options(), keyLabel: 'signer-c' });
    const signer = await Pkcs11Signer.open({ ...options(), keyLabel: 'signer-c', sessions: 4 });
    try {
      // Enough parallel calls to reach the native thread pool from several sessions at once.
      const digests = Array.from({ length: 3000 }, () => hexlify(randomBytes(32)));
      const signatures = await Promise.all(digests.map((d) => signer.signDigest(d)));
      signatures.forEach((signature, i) =>
        assert.equal(recoverAddress(digests[i]!, signature), signer.address),
      );
    } finally {
      signer.close();
    }
  });

  it('names a missing key label, and refuses a second key under the same label', async (t) => {
    if (!setUp(t)) return;
    await assert.rejects(
      Pkcs11Signer.open({ ...options(), keyLabel: 'nope' }),
      /no private key labelled "nope"/,
    );
    await assert.rejects(Pkcs11Signer.generateKey({ ...options(), keyLabel: 'signer-a' }), /already exists/);
  });

  it('reports a wrong PIN in one line', async (t) => {
    if (!setUp(t)) return;
    await assert.rejects(
      Pkcs11Signer.open({ ...options(), pin: '999999', keyLabel: 'signer-a' }),
      /^Error: PKCS#11: login to the token failed \(CKR_PIN_INCORRECT\)$/,
    );
  });

  it('names a token that does not exist', async (t) => {
    if (!setUp(t)) return;
    await assert.rejects(
      Pkcs11Signer.open({ ...options(), tokenLabel: 'absent', keyLabel: 'signer-a' }),
      /no token labelled "absent"/,
    );
  });
});

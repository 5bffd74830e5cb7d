import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  Contract,
  JsonRpcProvider,
  NonceManager,
  TypedDataEncoder,
  Wallet,
  getAddress,
  hexlify,
  verifyTypedData,
} from 'ethers';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  loadArtifact,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import {
  ATTESTATION_TYPES,
  attestationDigest,
  custosDomain,
  issueEip712Attestation,
  type AttestationMessage,
} from '../../src/issuer/index.js';
import { KmsSigner, LocalSigner, Pkcs11Signer, type AttestationSigner } from '../../src/signers/index.js';
import { initSoftHsmToken, softHsmModule, type SoftHsmToken } from '../helpers/softhsm.js';
import { requireSystemPackage } from '../helpers/systemPackage.js';
import { startFakeKms, type FakeKms } from '../helpers/fakeKms.js';

describe('EIP-712 attestations accepted by the deployed gatekeeper', () => {
  let anvil: AnvilHandle;
  let provider: JsonRpcProvider;
  let kms: FakeKms;
  let deployment: Deployment;
  let relayer: NonceManager;
  let hsm: SoftHsmToken | undefined;
  const signers: AttestationSigner[] = [];

  before(async () => {
    anvil = await startAnvil();
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    relayer = new NonceManager(new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider));
    kms = await startFakeKms();
    signers.push(
      await LocalSigner.open(
        path.join(mkdtempSync(path.join(tmpdir(), 'custos-ks-')), 'k.json'),
        'pw',
        () => {},
      ),
      await KmsSigner.connect(kms.createKey().keyId, {
        region: 'eu-central-1',
        endpoint: kms.endpoint,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      }),
    );
    if (softHsmModule) {
      hsm = initSoftHsmToken();
      const options = { module: hsm.module, pin: hsm.pin, tokenLabel: hsm.tokenLabel, keyLabel: 'issuer' };
      await Pkcs11Signer.generateKey(options);
      signers.push(await Pkcs11Signer.open(options));
    }
    deployment = await deployCustos({
      deployer: relayer,
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 90 * 86_400 }],
      trustedSigners: signers.map((s) => s.address),
    });
  });

  after(async () => {
    for (const signer of signers) {
      if (signer instanceof KmsSigner) signer.destroy();
      if (signer instanceof Pkcs11Signer) signer.close();
    }
    hsm?.remove();
    provider?.destroy();
    await kms?.stop();
    await anvil?.stop();
  });

  for (const backend of ['local', 'aws-kms', 'pkcs11']) {
    it(`${backend}: ethers recovers the signer and mintWithAttestation mints`, async (t) => {
      if (backend === 'pkcs11' && !requireSystemPackage(t, 'softhsm2', softHsmModule !== undefined)) return;
      const signer = signers.find((s) => s.backend === backend)!;
      const subject = Wallet.createRandom().address;
      const now = (await provider.getBlock('latest'))!.timestamp;
      const attestation = await issueEip712Attestation({
        signer,
        subject,
        policy: 'kyc-basic',
        chainId: deployment.chainId,
        gatekeeper: deployment.contracts.ComplianceGatekeeper,
        issuedAt: now,
        lifetimeSeconds: 3600,
      });
      assert.equal(
        verifyTypedData(attestation.domain, attestation.types, attestation.message, attestation.signature),
        signer.address,
      );

      const minter = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
      const token = new Contract(
        deployment.contracts.CompliantToken,
        loadArtifact('CompliantToken').abi,
        minter,
      );
      await (
        await token.getFunction('mintWithAttestation')(attestation.message, attestation.signature, 500n)
      ).wait();
      assert.equal(await token.getFunction('balanceOf')(subject), 500n);
    });
  }

  it('attestationDigest equals ethers TypedDataEncoder.hash and the contract hashAttestation for random structs', async () => {
    const gatekeeper = new Contract(
      deployment.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      provider,
    );
    const domain = custosDomain(deployment.chainId, deployment.contracts.ComplianceGatekeeper);
    await fc.assert(
      fc.asyncProperty(attestationMessage, async (message) => {
        const digest = attestationDigest(domain, message);
        assert.equal(digest, TypedDataEncoder.hash(domain, ATTESTATION_TYPES, message));
        assert.equal(digest, await gatekeeper.getFunction('hashAttestation')(message));
      }),
      { seed: 712, numRuns: 150 },
    );
  });

  it('a lifetime beyond the policy maximum is refused on-chain', async () => {
    const now = (await provider.getBlock('latest'))!.timestamp;
    const attestation = await issueEip712Attestation({
      signer: signers[0]!,
      subject: Wallet.createRandom().address,
      policy: 'kyc-basic',
      chainId: deployment.chainId,
      gatekeeper: deployment.contracts.ComplianceGatekeeper,
      issuedAt: now,
      lifetimeSeconds: 91 * 86_400,
    });
    const gatekeeper = new Contract(
      deployment.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      relayer,
    );
    await assert.rejects(
      gatekeeper.getFunction('submitAttestation')(attestation.message, attestation.signature),
      (error: { data?: string }) =>
        gatekeeper.interface.parseError(error.data!)?.name === 'AttestationLifetimeInvalid',
    );
  });
});

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hexlify);
/** Unix seconds as the service holds them: safe integers, with the word boundaries likely. */
const uint64 = fc.oneof(
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 48, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.maxSafeNat(),
);
const attestationMessage: fc.Arbitrary<AttestationMessage> = fc.record({
  uid: bytes32,
  subject: fc
    .uint8Array({ minLength: 20, maxLength: 20 })
    .chain((bytes) =>
      fc.constantFrom(
        getAddress(hexlify(bytes)),
        hexlify(bytes),
        hexlify(bytes).toUpperCase().replace('0X', '0x'),
      ),
    ),
  policyId: bytes32,
  issuedAt: uint64,
  expiresAt: uint64,
});

describe('attestationDigest without a chain', () => {
  it('equals ethers for any chain id and gatekeeper', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hexlify),
        attestationMessage,
        (chainId, gatekeeper, message) => {
          const domain = custosDomain(chainId, gatekeeper);
          assert.equal(
            attestationDigest(domain, message),
            TypedDataEncoder.hash(domain, ATTESTATION_TYPES, message),
          );
        },
      ),
      { seed: 1901, numRuns: 500 },
    );
  });

  it('refuses fields it cannot encode instead of hashing something else', () => {
    const domain = custosDomain(1, Wallet.createRandom().address);
    const valid: AttestationMessage = {
      uid: hexlify(new Uint8Array(32).fill(7)),
      subject: Wallet.createRandom().address,
      policyId: hexlify(new Uint8Array(32).fill(9)),
      issuedAt: 1_800_000_000,
      expiresAt: 1_800_003_600,
    };
    assert.equal(attestationDigest(domain, valid), TypedDataEncoder.hash(domain, ATTESTATION_TYPES, valid));
    const broken: [keyof AttestationMessage, unknown][] = [
      ['uid', valid.uid.slice(0, 64)],
      ['uid', `${valid.uid}00`],
      ['uid', `0x${'g'.repeat(64)}`],
      ['subject', valid.subject.slice(2)],
      ['subject', `${valid.subject.slice(0, 41)}z`],
      ['policyId', 'kyc-basic'],
      ['issuedAt', -1],
      ['issuedAt', 1.5],
      ['expiresAt', 2 ** 53],
      ['expiresAt', Number.NaN],
    ];
    for (const [field, value] of broken) {
      assert.throws(
        () => attestationDigest(domain, { ...valid, [field]: value }),
        new RegExp(`attestation ${field}: `),
        `${field} = ${String(value)}`,
      );
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, NonceManager, Wallet, verifyTypedData } from 'ethers';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  loadArtifact,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import { issueEip712Attestation } from '../../src/issuer/index.js';
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

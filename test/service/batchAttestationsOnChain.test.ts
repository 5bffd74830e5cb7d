import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { complianceGatekeeperAbi } from '@custos/contracts';
import { CustosRevertError, submitAttestation } from '@custos/sdk/ethers';
import { submitAttestation as viemSubmitAttestation } from '@custos/sdk/viem';
import { Contract, JsonRpcProvider, Wallet, verifyTypedData } from 'ethers';
import { createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { ATTESTATION_BATCH_TYPES, attestationLeaf, verifyBatchProof } from '../../src/issuer/index.js';
import { ANVIL_SECOND_PRIVATE_KEY, APPROVED_KYC as approved } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { initSoftHsmToken, softHsmModule, softHsmSignerEnv, type SoftHsmToken } from '../helpers/softhsm.js';
import { requireSystemPackage } from '../helpers/systemPackage.js';

const SIZE = 5;

/**
 * A real batch signed by a SoftHSM2 key (PKCS#11), then every leaf submitted to the forge-compiled gatekeeper on the
 * service's anvil through @custos/sdk's submitAttestation helpers: the off-chain leaf, tree and root signature are
 * the ones the contract checks.
 */
describe('batched attestations with a PKCS#11 signer, on-chain', () => {
  let token: SoftHsmToken | undefined;
  let t: TestService | undefined;
  let provider: JsonRpcProvider;
  // A plain Wallet: NonceManager counts a nonce for a send that fails in estimation, leaving a gap after a refusal.
  let relayer: Wallet;
  let gatekeeper: Contract;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies as parsed JSON
  let leaves: any[];

  before(async () => {
    if (!softHsmModule) return;
    token = initSoftHsmToken('custos-batch');
    t = await startTestService({
      ...(await softHsmSignerEnv(token, 'batch-signer')),
      ATTEST_BATCH_WINDOW_MS: '1000',
      ATTEST_BATCH_MAX_SIZE: String(SIZE),
    });
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    relayer = new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider);
    gatekeeper = new Contract(
      t.service.chain.contracts.ComplianceGatekeeper,
      complianceGatekeeperAbi,
      provider,
    );
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
    token?.remove();
  });

  const hsm = (ctx: TestContext) => requireSystemPackage(ctx, 'softhsm2', softHsmModule !== undefined);

  it(`${SIZE} concurrent requests: one batch whose root the HSM key signed, every proof valid`, async (ctx) => {
    if (!hsm(ctx)) return;
    const [dapp, officer] = await Promise.all([t!.key('dapp'), t!.key('officer')]);
    const subjects = Array.from({ length: SIZE }, () => Wallet.createRandom().address);
    for (const subject of subjects) {
      const set = await t!.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: approved });
      assert.equal(set.status, 200, JSON.stringify(set.body));
    }
    const responses = await Promise.all(
      subjects.map((subject) =>
        t!.request('POST', '/v1/attest', {
          key: dapp,
          body: { subject, policy: 'kyc-basic', format: 'eip712-batch' },
        }),
      ),
    );
    leaves = responses.map((r) => {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    });
    const [{ batch, domain, signer }] = leaves;
    const signers = await t!.request('GET', '/v1/signers');
    assert.equal(signers.body.signers[0].backend, 'pkcs11');
    assert.equal(signer, signers.body.signers[0].address);
    assert.equal(
      verifyTypedData(domain, ATTESTATION_BATCH_TYPES, { root: batch.root }, batch.signature),
      signer,
    );
    for (const leaf of leaves) {
      assert.deepEqual([leaf.batch.root, leaf.batch.size], [batch.root, SIZE]);
      assert.ok(verifyBatchProof(attestationLeaf(leaf.message), leaf.batch.proof, leaf.batch.root));
    }
    assert.equal(await t!.db.attestationBatch.count(), 1);
  });

  it('a tampered proof, or a leaf changed under its proof, is refused with AttestationNotInBatch', async (ctx) => {
    if (!hsm(ctx)) return;
    const gatekeeperAddress = t!.service.chain.contracts.ComplianceGatekeeper;
    const leaf = leaves[SIZE - 1];
    const tamperedProof = {
      ...leaf,
      batch: { ...leaf.batch, proof: [`0x${'11'.repeat(32)}`, ...leaf.batch.proof.slice(1)] },
    };
    const longerLife = { ...leaf, message: { ...leaf.message, expiresAt: leaf.message.expiresAt + 1 } };
    for (const attestation of [tamperedProof, longerLife]) {
      await assert.rejects(
        submitAttestation(relayer, { gatekeeper: gatekeeperAddress, attestation }),
        (error: unknown) => error instanceof CustosRevertError && error.errorName === 'AttestationNotInBatch',
      );
    }
    assert.equal(
      await gatekeeper.batchRootSigner!(leaf.batch.root),
      '0x0000000000000000000000000000000000000000',
    );
  });

  it('every leaf is accepted through the SDK helpers (ethers and viem) and makes its subject compliant', async (ctx) => {
    if (!hsm(ctx)) return;
    const gatekeeperAddress = t!.service.chain.contracts.ComplianceGatekeeper;
    const wallet = createWalletClient({
      account: privateKeyToAccount(ANVIL_SECOND_PRIVATE_KEY),
      chain: { ...foundry, id: t!.service.chain.chainId },
      transport: http(t!.service.chain.rpcUrl),
    });
    for (const [i, attestation] of leaves.entries()) {
      assert.equal(await gatekeeper.isCompliant!(attestation.subject, attestation.message.policyId), false);
      // The first leaf verifies the root's signature; later ones are checked against the remembered root.
      if (i === 1) await viemSubmitAttestation(wallet, { gatekeeper: gatekeeperAddress, attestation });
      else await submitAttestation(relayer, { gatekeeper: gatekeeperAddress, attestation });
      assert.equal(await gatekeeper.isCompliant!(attestation.subject, attestation.message.policyId), true);
    }
    assert.equal(await gatekeeper.batchRootSigner!(leaves[0].batch.root), leaves[0].signer);
    // A leaf is accepted once: its uid is spent.
    await assert.rejects(
      submitAttestation(relayer, { gatekeeper: gatekeeperAddress, attestation: leaves[0] }),
      (error: unknown) => error instanceof CustosRevertError,
    );
  });
});

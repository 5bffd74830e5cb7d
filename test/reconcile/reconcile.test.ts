import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, NonceManager, Wallet, hexlify, id, randomBytes } from 'ethers';
import { ANVIL_DEFAULT_PRIVATE_KEY, loadArtifact } from '../../src/chain/index.js';
import { ATTESTATION_TYPES, ISSUANCE_ROOT_TYPES } from '../../src/issuer/index.js';
import { policyIdOf } from '../../src/chain/policyId.js';
import { custos } from '../helpers/cli.js';
import { setKycRecord } from '../../src/screening/index.js';
import { ANVIL_SECOND_PRIVATE_KEY, APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService } from '../helpers/service.js';

/** A running service with a fast chain indexer, a relayer account and helpers to wait for the index. */
async function indexedService() {
  const t = await startTestService({ CHAIN_INDEX_INTERVAL_SECONDS: '1' });
  const provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
  const relayer = new NonceManager(new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider));
  const contract = (name: 'ComplianceGatekeeper' | 'RevocationRegistry', runner = relayer) =>
    new Contract(t.service.chain.contracts[name], loadArtifact(name).abi, runner);
  const [dapp, officer] = await Promise.all([t.key('dapp'), t.key('officer')]);

  /** Screens, attests through the API and submits on-chain: returns the uid and the block it landed in. */
  async function attestOnChain(subject = Wallet.createRandom().address, policy = 'kyc-basic') {
    await setKycRecord(
      t.db,
      { subject, ...APPROVED_KYC, accredited: true },
      { by: 'officer', actor: 'test', scope: 'all-tenants' },
    );
    const { body } = await t.request('POST', '/v1/attest', { key: dapp, body: { subject, policy } });
    assert.equal(body.uid !== undefined, true, JSON.stringify(body));
    const receipt = await (
      await contract('ComplianceGatekeeper').getFunction('submitAttestation')(body.message, body.signature)
    ).wait();
    return { subject, uid: body.uid as string, block: receipt!.blockNumber as number };
  }

  async function waitForIndex(block: number): Promise<void> {
    for (let i = 0; i < 150; i++) {
      const { body } = await t.request('GET', '/v1/audit/status', { key: officer });
      if ((body.indexer.indexedThroughBlock ?? -1) >= block) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the indexer did not reach block ${block}`);
  }

  const chainEvents = async (query: string) =>
    (await t.request('GET', `/v1/audit/chain-events?${query}`, { key: officer })).body.events as {
      event: string;
      attestationUid: string;
      blockNumber: number;
    }[];

  const cliEnv = { CUSTOS_URL: t.service.url, CUSTOS_OFFICER_KEY: officer };
  return { t, provider, relayer, contract, officer, cliEnv, attestOnChain, waitForIndex, chainEvents };
}

/** Gives the enclosing describe a fresh indexed service, stopped after its tests even when they fail. */
function useIndexedService() {
  const ctx = {} as { s: Awaited<ReturnType<typeof indexedService>> };
  before(async () => {
    ctx.s = await indexedService();
  });
  after(async () => {
    ctx.s?.provider.destroy();
    await ctx.s?.t.stop();
  });
  return ctx;
}

describe('chain indexer and reconciliation', () => {
  const ctx = useIndexedService();

  it('records on-chain uses and revocations against the attestations that caused them', async () => {
    const { uid, subject, block } = await ctx.s.attestOnChain();
    const revoked = await custos(['revoke', uid, '--reason', 'test revocation', '--json'], ctx.s.cliEnv);
    assert.equal(revoked.code, 0, revoked.stderr);
    const head = await ctx.s.provider.getBlockNumber();
    await ctx.s.waitForIndex(head);

    const events = await ctx.s.chainEvents(`attestationUid=${uid}`);
    assert.deepEqual(
      events.map((e) => e.event),
      ['AttestationSubmitted', 'AttestationRevoked', 'AttestationInvalidated'],
    );
    assert.equal(events[0]!.blockNumber, block);
    assert.deepEqual(
      (await ctx.s.chainEvents(`subject=${subject}`)).map((e) => e.event),
      ['AttestationSubmitted', 'AttestationRevoked', 'AttestationInvalidated'],
    );
    const clean = await custos(['reconcile'], ctx.s.cliEnv);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, '(none)\n');
  });

  it("ties an agent execution to the caller's attestation for the agent's policy, not just the latest one", async () => {
    const caller = Wallet.createRandom().connect(ctx.s.provider);
    await (await ctx.s.relayer.sendTransaction({ to: caller.address, value: 10n ** 17n })).wait();
    const basic = await ctx.s.attestOnChain(caller.address, 'kyc-basic');
    const accredited = await ctx.s.attestOnChain(caller.address, 'accredited-investor');
    const agents = new Contract(
      ctx.s.t.service.chain.contracts.AgentRegistry!,
      loadArtifact('AgentRegistry').abi,
      ctx.s.relayer,
    );
    await (await agents.getFunction('registerAgent')(id('agent metadata'), policyIdOf('kyc-basic'))).wait();
    const agentId = await agents.getFunction('agentCount')();
    const receipt = await (
      await agents.connect(caller).getFunction('execute')(agentId, id('summarise the filings'))
    ).wait();
    await ctx.s.waitForIndex(receipt!.blockNumber);
    assert.deepEqual(
      (await ctx.s.chainEvents(`attestationUid=${basic.uid}`)).map((e) => e.event),
      ['AttestationSubmitted', 'ExecutionRequested'],
    );
    assert.deepEqual(
      (await ctx.s.chainEvents(`attestationUid=${accredited.uid}`)).map((e) => e.event),
      ['AttestationSubmitted'],
    );
  });

  it('bad filters are 400, and the reconciliation is for officers only', async () => {
    const missing = await ctx.s.t.request('GET', '/v1/audit/chain-events', { key: ctx.s.officer });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'VALIDATION_FAILED');
    const regulator = await ctx.s.t.key('regulator');
    assert.equal((await ctx.s.t.request('GET', '/v1/reconcile', { key: regulator })).status, 403);
  });

  it('custos reconcile lists every disagreement between the database and the chain', async () => {
    const dbOnly = await ctx.s.attestOnChain();
    const chainOnly = await ctx.s.attestOnChain();
    // A chain outage mid-revocation leaves the database ahead of the chain...
    await ctx.s.t.db.attestation.update({
      where: { uid: dbOnly.uid },
      data: { status: 'revoked', revokedAt: new Date(), revokeReason: 'outage drill' },
    });
    // ...and these come from someone holding the contracts' admin keys outside the service.
    const admin = new NonceManager(new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, ctx.s.provider));
    const registry = ctx.s.contract('RevocationRegistry', admin);
    const gatekeeper = ctx.s.contract('ComplianceGatekeeper', admin);
    await (await registry.getFunction('revoke')(chainOnly.uid, id('out of band'))).wait();
    const [, epoch] = await registry.getFunction('currentRoot')();
    const strayRoot = hexlify(randomBytes(32));
    await (await registry.getFunction('publishRoot')(strayRoot, epoch)).wait();
    const rogue = Wallet.createRandom();
    const now = (await ctx.s.provider.getBlock('latest'))!.timestamp;
    await (await gatekeeper.getFunction('setSigner')(rogue.address, now - 60, 2n ** 64n - 1n)).wait();
    const forged = {
      uid: hexlify(randomBytes(32)),
      subject: Wallet.createRandom().address,
      policyId: policyIdOf('kyc-basic'),
      issuedAt: now - 30,
      expiresAt: now + 3600,
    };
    const domain = {
      name: 'Custos',
      version: '1',
      chainId: ctx.s.t.service.chain.chainId,
      verifyingContract: ctx.s.t.service.chain.contracts.ComplianceGatekeeper,
    };
    const signature = await rogue.signTypedData(domain, ATTESTATION_TYPES, forged);
    await (
      await ctx.s.contract('ComplianceGatekeeper').getFunction('submitAttestation')(forged, signature)
    ).wait();
    // The same rogue key signs a credential issuance root of its own.
    const rogueRoot = BigInt(hexlify(randomBytes(31)));
    const rootSignature = await rogue.signTypedData(domain, ISSUANCE_ROOT_TYPES, {
      root: rogueRoot,
      issuedAt: now - 30,
    });
    await (
      await ctx.s.contract('ComplianceGatekeeper').getFunction('submitIssuanceRoot')(
        rogueRoot,
        now - 30,
        rootSignature,
      )
    ).wait();
    await ctx.s.waitForIndex(await ctx.s.provider.getBlockNumber());

    const result = await custos(['reconcile', '--json'], ctx.s.cliEnv);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^custos: 6 disagreement\(s\) between the database and the chain \(indexed through block \d+\)\n$/,
    );
    const { disagreements } = JSON.parse(result.stdout) as { disagreements: { kind: string; ref: string }[] };
    assert.deepEqual(
      disagreements.map((d) => [d.kind, d.ref.toLowerCase()]),
      [
        ['revoked-not-on-chain', dbOnly.uid],
        ['revoked-on-chain-only', chainOnly.uid],
        ['unknown-attestation', forged.uid],
        ['unknown-issuance-root', rogueRoot.toString()],
        ['unknown-root', strayRoot],
        ['unknown-signer', rogue.address.toLowerCase()],
      ],
    );
  });
});

describe('chain indexer under a reorganisation', () => {
  const ctx = useIndexedService();

  it('drops events of blocks that left the chain and follows the new branch', async () => {
    await ctx.s.waitForIndex(await ctx.s.provider.getBlockNumber());
    const snapshot = await ctx.s.provider.send('evm_snapshot', []);
    const orphaned = await ctx.s.attestOnChain();
    await ctx.s.waitForIndex(orphaned.block);
    assert.equal((await ctx.s.chainEvents(`attestationUid=${orphaned.uid}`)).length, 1);

    // A reorg of a few blocks: the attestation's block is replaced by a longer branch without it.
    assert.equal(await ctx.s.provider.send('evm_revert', [snapshot]), true);
    await ctx.s.provider.send('anvil_mine', ['0x3']);
    ctx.s.relayer.reset();
    const head = await ctx.s.provider.getBlockNumber();
    assert.ok(head > orphaned.block);
    await ctx.s.waitForIndex(head);
    assert.deepEqual(await ctx.s.chainEvents(`attestationUid=${orphaned.uid}`), []);

    const kept = await ctx.s.attestOnChain();
    await ctx.s.waitForIndex(kept.block);
    assert.deepEqual(
      (await ctx.s.chainEvents(`attestationUid=${kept.uid}`)).map((e) => e.blockNumber),
      [kept.block],
    );
  });
});

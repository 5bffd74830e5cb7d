import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import pg from 'pg';
import { verifyInclusion } from '../../src/audit/index.js';
import { loadArtifact } from '../../src/chain/index.js';
import { custos } from '../helpers/cli.js';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** The audit log anchored on-chain in batches, with inclusion proofs, and checked against the chain. */
describe('audit anchoring', () => {
  let t: TestService;
  let officer: string;
  let regulator: string;
  let anchor: Contract;
  let provider: JsonRpcProvider;

  before(async () => {
    t = await startTestService({
      AUDIT_ANCHOR_INTERVAL_SECONDS: '1',
      AUDIT_ANCHOR_MIN_BATCH: '1',
      AUDIT_ANCHOR_MAX_AGE_SECONDS: '0',
      AUDIT_ANCHOR_MAX_BATCH: '4',
    });
    [officer, regulator] = await Promise.all([t.key('officer'), t.key('regulator')]);
    provider = new JsonRpcProvider(t.service.chain.rpcUrl);
    anchor = new Contract(t.service.chain.contracts.AuditAnchor!, loadArtifact('AuditAnchor').abi, provider);
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  /** Until `seq` is anchored on-chain and the anchorer has recorded every batch (it does so after the receipt). */
  async function waitForAnchored(seq: bigint): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const anchored = BigInt(await anchor.getFunction('nextSeq')()) > seq;
      const batches = Number(await anchor.getFunction('batchCount')());
      if (anchored && (await t.db.auditBatch.count()) >= batches) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`event ${seq} was not anchored`);
  }

  it('anchors contiguous batches of at most the batch size, with roots the database agrees with', async () => {
    for (let i = 0; i < 6; i++) {
      await t.request('PUT', `/v1/kyc/${Wallet.createRandom().address}`, {
        key: officer,
        body: APPROVED_KYC,
      });
    }
    const head = (await t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
    await waitForAnchored(head);
    const count = Number(await anchor.getFunction('batchCount')());
    assert.ok(count >= 2, 'six events in batches of four need two batches or more');
    let expectedFirst = 1n;
    for (let i = 0; i < count; i++) {
      const batch = await anchor.getFunction('batch')(i);
      assert.equal(BigInt(batch.firstSeq), expectedFirst);
      assert.ok(BigInt(batch.lastSeq) - BigInt(batch.firstSeq) < 4n);
      expectedFirst = BigInt(batch.lastSeq) + 1n;
      const row = await t.db.auditBatch.findUnique({ where: { index: i } });
      assert.equal(`0x${Buffer.from(row!.root).toString('hex')}`, batch.root);
    }
    const verified = await custos(['audit', 'verify', '--json'], {
      CUSTOS_URL: t.service.url,
      CUSTOS_OFFICER_KEY: officer,
    });
    assert.equal(verified.code, 0, verified.stderr);
    assert.ok(JSON.parse(verified.stdout).anchors.batches >= 2);
  });

  it("an event's inclusion proof verifies against the on-chain root", async () => {
    const { body } = await t.request('GET', '/v1/audit/events/3', { key: regulator });
    assert.ok(body.anchor, 'event 3 is anchored');
    const onChain = await anchor.getFunction('batch')(body.anchor.batch);
    const proof = body.anchor.proof.map((h: string) => Buffer.from(h, 'hex'));
    const leaf = Buffer.from(body.hash, 'hex');
    const root = Buffer.from(onChain.root.slice(2), 'hex');
    assert.ok(verifyInclusion(leaf, body.anchor.leafIndex, body.anchor.treeSize, proof, root));
    assert.ok(
      !verifyInclusion(
        Buffer.from(body.prevHash, 'hex'),
        body.anchor.leafIndex,
        body.anchor.treeSize,
        proof,
        root,
      ),
    );
  });

  it('a batch recorded but then lost by the chain (a reorganisation) is anchored again', async () => {
    let head = (await t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
    await waitForAnchored(head);
    const lost = Number(await anchor.getFunction('batchCount')());
    await t.db.auditBatch.create({
      data: {
        index: lost,
        firstSeq: head + 1n,
        lastSeq: head + 1n,
        root: new Uint8Array(32),
        anchoredAt: new Date(),
      },
    });
    await t.request('PUT', `/v1/kyc/${Wallet.createRandom().address}`, { key: officer, body: APPROVED_KYC });
    head = (await t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
    await waitForAnchored(head);
    const onChain = await anchor.getFunction('batch')(lost);
    const row = await t.db.auditBatch.findUnique({ where: { index: lost } });
    assert.equal(`0x${Buffer.from(row!.root).toString('hex')}`, onChain.root);
  });

  it('a database restored to before anchored events is caught against the chain', async () => {
    const head = (await t.db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
    await waitForAnchored(head);
    const client = new pg.Client({ connectionString: t.postgres.url });
    await client.connect();
    try {
      // What a restore from an older backup looks like: the newest anchored events are gone, the chain is consistent.
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await client.query('DELETE FROM audit_events WHERE seq = $1', [head.toString()]);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    } finally {
      await client.end();
    }
    const result = await custos(['audit', 'verify'], {
      CUSTOS_URL: t.service.url,
      CUSTOS_OFFICER_KEY: officer,
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^custos: audit anchors disagree: batch \d+ anchored events \d+\.\.\d+; the database has \d+ of \d+\n$/,
    );
  });
});

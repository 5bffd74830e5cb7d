import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Contract,
  JsonRpcProvider,
  Wallet,
  hexlify,
  id,
  randomBytes,
  type Block,
  type BlockTag,
  type Filter,
  type FilterByBlockHash,
  type Log,
} from 'ethers';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  loadArtifact,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { ChainIndexer } from '../../src/reconcile/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * A provider the test can make misbehave: `afterLogs` runs once, right after the next eth_getLogs answer (the chain
 * moves mid-run); blocks in `missing` are answered with null, as a node that lacks them does.
 */
class FaultyProvider extends JsonRpcProvider {
  afterLogs?: () => Promise<void>;
  readonly missing = new Set<number>();

  override async getLogs(filter: Filter | FilterByBlockHash): Promise<Log[]> {
    const logs = await super.getLogs(filter);
    const move = this.afterLogs;
    this.afterLogs = undefined;
    if (move) await move();
    return logs;
  }

  override async getBlock(block: BlockTag, prefetchTxs?: boolean): Promise<Block | null> {
    return typeof block === 'number' && this.missing.has(block) ? null : super.getBlock(block, prefetchTxs);
  }
}

/** The chain indexer against a real anvil and PostgreSQL, driven run by run. */
describe('chain indexer: the confirmation window', () => {
  let anvil: AnvilHandle;
  let postgres: TestPostgres;
  let db: Database;
  let provider: JsonRpcProvider;
  let deployment: Deployment;
  let registry: Contract;

  before(async () => {
    [anvil, postgres] = await Promise.all([startAnvil(), startTestPostgres()]);
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 4);
    provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    const admin = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
    deployment = await deployCustos({
      deployer: admin,
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 86_400 }],
    });
    registry = new Contract(
      deployment.contracts.RevocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      admin,
    );
  });
  after(async () => {
    provider?.destroy();
    if (db) await closeDatabase(db);
    await Promise.all([anvil?.stop(), postgres?.stop()]);
  });

  const freshIndex = async () => {
    await db.$transaction([
      db.chainEvent.deleteMany(),
      db.chainBlock.deleteMany(),
      db.chainCursor.deleteMany(),
    ]);
  };
  const indexer = (chain: JsonRpcProvider, reorgWindow?: number) =>
    new ChainIndexer(db, chain, {
      contracts: { RevocationRegistry: deployment.contracts.RevocationRegistry },
      startBlock: deployment.blockNumber,
      reorgWindow,
    });
  /** Revokes a fresh uid on the registry: one AttestationRevoked event. */
  const revokeOnChain = async () => {
    const uid = hexlify(randomBytes(32));
    await (await registry.getFunction('revoke')(uid, id('indexer test'))).wait();
    return uid;
  };
  const indexedUids = async () =>
    (await db.chainEvent.findMany({ where: { event: 'AttestationRevoked' }, orderBy: { id: 'asc' } })).map(
      (e) => e.attestationUid,
    );
  const indexToHead = async (run: ChainIndexer) => {
    const head = await provider.getBlockNumber();
    for (let i = 0; i < 10; i++) {
      const done = await run.run();
      if (done && done.toBlock >= head) return;
    }
    throw new Error(`the indexer did not reach block ${head}`);
  };

  it('a reorg below the tip while a run reads leaves no orphaned log indexed (same height, other blocks)', async () => {
    await freshIndex();
    const moving = new FaultyProvider(anvil.rpcUrl, undefined, {
      cacheTimeout: -1,
      staticNetwork: true,
    });
    try {
      const run = indexer(moving);
      await indexToHead(run);
      const snapshot = await provider.send('evm_snapshot', []);
      const orphaned = await revokeOnChain(); // block k
      await provider.send('anvil_mine', ['0x2']); // k+1, k+2
      const height = await provider.getBlockNumber();
      let kept = '';
      // Between the run's log read and what comes after it, branch A (with `orphaned` at k) is replaced by a branch
      // of the same height that differs from block k on: the tip's height is the same, its hash is not.
      moving.afterLogs = async () => {
        assert.equal(await provider.send('evm_revert', [snapshot]), true);
        kept = await revokeOnChain();
        await provider.send('anvil_mine', ['0x2']);
        assert.equal(await provider.getBlockNumber(), height);
      };
      await run.run();
      assert.ok(kept, 'the chain moved during the run');
      await indexToHead(run);

      assert.deepEqual(await indexedUids(), [kept.toLowerCase()]);
      assert.notEqual(orphaned, kept);
      // Every kept block hash is the chain's, and the cursor stands on the chain's tip.
      for (const block of await db.chainBlock.findMany()) {
        assert.equal(
          block.hash,
          (await provider.getBlock(Number(block.number)))!.hash,
          `block ${block.number}`,
        );
      }
      const cursor = await db.chainCursor.findFirstOrThrow();
      assert.equal(cursor.blockHash, (await provider.getBlock(height))!.hash);
    } finally {
      moving.destroy();
    }
  });

  it('reads final blocks by range and the window by hash: the same events as the chain, and every window hash kept', async () => {
    await freshIndex();
    const uids = [];
    for (let i = 0; i < 6; i++) uids.push((await revokeOnChain()).toLowerCase());
    await provider.send('anvil_mine', ['0x2']);
    const reorgWindow = 4;
    await indexToHead(indexer(provider, reorgWindow));

    const onChain = await provider.getLogs({
      address: deployment.contracts.RevocationRegistry,
      fromBlock: deployment.blockNumber,
      toBlock: 'latest',
    });
    const indexed = await db.chainEvent.findMany({ orderBy: [{ blockNumber: 'asc' }, { logIndex: 'asc' }] });
    assert.deepEqual(
      indexed.map((e) => [Number(e.blockNumber), e.logIndex, e.blockHash]),
      onChain.map((l) => [l.blockNumber, l.index, l.blockHash]),
    );
    assert.deepEqual((await indexedUids()).slice(-6), uids);
    const head = await provider.getBlockNumber();
    const kept = (await db.chainBlock.findMany({ orderBy: { number: 'asc' } })).map((b) => Number(b.number));
    for (let n = head - reorgWindow + 1; n <= head; n++) assert.ok(kept.includes(n), `block ${n} is kept`);
    assert.ok(
      kept.every((n) => n >= head - reorgWindow),
      'nothing older than the window is kept',
    );
    assert.ok(
      indexed.every((e) => e.blockTime.getTime() > Date.parse('2020-01-01')),
      'every event has its block time',
    );
  });

  it('a block the node does not return fails the run: no event is stored with a 1970 block time', async () => {
    await freshIndex();
    const faulty = new FaultyProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1, staticNetwork: true });
    try {
      await revokeOnChain();
      const block = await provider.getBlockNumber();
      await provider.send('anvil_mine', ['0x2']); // the revocation's block is below a window of one
      const run = indexer(faulty, 1);
      faulty.missing.add(block);
      await assert.rejects(run.run(), new RegExp(`block ${block} is not available from the node`));
      assert.equal(await db.chainEvent.count(), 0);
      assert.equal(await db.chainCursor.count(), 0, 'the cursor did not move past it');

      faulty.missing.clear();
      await indexToHead(run);
      const [event] = await db.chainEvent.findMany({ where: { blockNumber: BigInt(block) } });
      assert.equal(event!.blockTime.getTime(), (await provider.getBlock(block))!.timestamp * 1000);
    } finally {
      faulty.destroy();
    }
  });
});

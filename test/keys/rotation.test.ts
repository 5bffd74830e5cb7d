import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Contract, Interface, JsonRpcProvider, Wallet } from 'ethers';
import pg from 'pg';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  ChainOperator,
  SIGNER_TRUSTED_WITHOUT_END,
  deployCustos,
  freePort,
  loadArtifact,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import { loadEnv } from '../../src/config/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { CustosError } from '../../src/errors/index.js';
import { DEV_KEYSTORE_PASSWORD, KeyManager } from '../../src/keys/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

const OPERATOR = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY).address;
const GATEKEEPER_ABI = new Interface(loadArtifact('ComplianceGatekeeper').abi);

/** A real PostgreSQL, a real anvil with the contracts, and what both tests read of them. */
function useChainAndDatabase() {
  const ctx = {} as {
    postgres: TestPostgres;
    anvil: AnvilHandle;
    provider: JsonRpcProvider;
    deployment: Deployment;
    gatekeeper: Contract;
    db: Database;
    dir: string;
  };
  before(async () => {
    ctx.dir = mkdtempSync(path.join(tmpdir(), 'custos-rotation-'));
    chmodSync(ctx.dir, 0o755);
    [ctx.postgres, ctx.anvil] = await Promise.all([startTestPostgres(), startAnvil()]);
    await applyMigrations(ctx.postgres.url);
    ctx.db = createDatabase(ctx.postgres.url, 2);
    ctx.provider = new JsonRpcProvider(ctx.anvil.rpcUrl, undefined, {
      cacheTimeout: -1,
      staticNetwork: true,
    });
    ctx.deployment = await deployCustos({
      deployer: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, ctx.provider),
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 86_400 }],
    });
    ctx.gatekeeper = new Contract(
      ctx.deployment.contracts.ComplianceGatekeeper,
      GATEKEEPER_ABI,
      ctx.provider,
    );
  });
  after(async () => {
    ctx.provider?.destroy();
    if (ctx.db) await closeDatabase(ctx.db);
    await Promise.all([ctx.anvil?.stop(), ctx.postgres?.stop()]);
    if (ctx.dir) rmSync(ctx.dir, { recursive: true, force: true });
  });

  /** The operator's setSigner transactions waiting in the pool, once there are `count` of them. */
  async function pooledSetSigners(count: number): Promise<{ signer: string; validUntil: bigint }[]> {
    for (let i = 0; i < 600; i++) {
      const pool = await ctx.provider.send('txpool_content', []);
      const mine = Object.entries(pool.pending as Record<string, Record<string, { input: string }>>).find(
        ([from]) => from.toLowerCase() === OPERATOR.toLowerCase(),
      )?.[1];
      const calls = Object.values(mine ?? {}).map((tx) =>
        GATEKEEPER_ABI.parseTransaction({ data: tx.input }),
      );
      const setSigners = calls.filter((c) => c?.name === 'setSigner');
      if (setSigners.length >= count) {
        return setSigners.map((c) => ({ signer: c!.args[0] as string, validUntil: c!.args[2] as bigint }));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${count} pooled setSigner transaction(s)`);
  }

  const automine = (on: boolean) => ctx.provider.send('evm_setAutomine', [on]);
  const mine = () => ctx.provider.send('evm_mine', []);
  const rotationState = async () => (await ctx.db.keyRotation.findFirst({ orderBy: { id: 'desc' } }))?.state;
  const window = async (address: string) => {
    const w = await ctx.gatekeeper.getFunction('signerWindow')(address);
    return { validFrom: Number(w.validFrom), validUntil: BigInt(w.validUntil) };
  };

  /**
   * The database and the chain agree on every key the service issues with or still honours, and the key the
   * database names active is trusted on-chain right now: no moment leaves issuance without trust.
   */
  async function assertConsistent(): Promise<void> {
    const now = (await ctx.provider.getBlock('latest'))!.timestamp;
    const keys = await ctx.db.signingKey.findMany({ where: { status: { in: ['active', 'retiring'] } } });
    assert.equal(keys.filter((k) => k.status === 'active').length, 1, 'exactly one active key');
    for (const key of keys) {
      const onChain = await window(key.address);
      assert.equal(onChain.validFrom, Math.floor(key.validFrom.getTime() / 1000), `${key.address} validFrom`);
      const until = key.validUntil
        ? BigInt(Math.floor(key.validUntil.getTime() / 1000))
        : SIGNER_TRUSTED_WITHOUT_END;
      // The old key's on-chain window may already be cut while the database still names it active.
      if (key.status === 'retiring') assert.equal(onChain.validUntil, until, `${key.address} validUntil`);
      if (key.status === 'active') {
        assert.ok(
          onChain.validFrom <= now && BigInt(now) < onChain.validUntil,
          `the active key ${key.address} is trusted now`,
        );
      }
    }
  }

  /** How many SignerUpdated events the gatekeeper emitted for `address`: each on-chain step is sent once. */
  const signerUpdates = async (address: string) =>
    (await ctx.gatekeeper.queryFilter(ctx.gatekeeper.filters.SignerUpdated!(address))).length;

  /** An in-process operator on the test chain, and the embedded-style configuration KeyManager starts with. */
  const operatorAndEnv = (timing: { receiptTimeoutMs?: number; pollMs?: number } = {}) => ({
    operator: new ChainOperator({
      rpcUrl: ctx.anvil.rpcUrl,
      chainId: ctx.anvil.chainId,
      gatekeeper: ctx.deployment.contracts.ComplianceGatekeeper,
      revocationRegistry: ctx.deployment.contracts.RevocationRegistry,
      operator: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY),
      ...timing,
    }),
    env: loadEnv({
      CUSTOS_DATA_DIR: ctx.dir,
      DATABASE_URL: ctx.postgres.url,
      ALLOW_EMBEDDED_CHAIN: 'true',
      LOCAL_KEYSTORE_FILE: path.join(ctx.dir, 'keys', 'signer.json'),
    }),
  });

  return {
    ctx,
    pooledSetSigners,
    automine,
    mine,
    rotationState,
    window,
    assertConsistent,
    signerUpdates,
    operatorAndEnv,
  };
}

/**
 * `custos keys rotate` writes to the chain twice and then commits the database. The service runs as a real child
 * process (production configuration: DATABASE_URL, RPC_URL, the contracts, SIGNER=local) and is killed with SIGKILL
 * at each step; anvil's automine is off so the test decides when each transaction is mined. After every restart the
 * rotation is complete, the database and the chain agree, and no key was ever without trust.
 */
describe('key rotation: SIGKILL between its steps, then a restart completes it', () => {
  const chain = useChainAndDatabase();
  const { ctx } = chain;
  let child: ChildProcess | undefined;
  let url = '';
  let officer = '';
  let output = '';

  // A local signer against a configured chain is refused unless meant, and then its keystore must already exist.
  const keystore = () => path.join(ctx.dir, 'keys', 'signer.json');
  before(async () => {
    mkdirSync(path.dirname(keystore()), { recursive: true });
    if (!existsSync(keystore()))
      writeFileSync(keystore(), await Wallet.createRandom().encrypt('rotation drill only'));
  });

  async function start(): Promise<void> {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    output = '';
    child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: ctx.postgres.url,
        RPC_URL: ctx.anvil.rpcUrl,
        GATEKEEPER_ADDRESS: ctx.deployment.contracts.ComplianceGatekeeper,
        REVOCATION_REGISTRY_ADDRESS: ctx.deployment.contracts.RevocationRegistry,
        OPERATOR_PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY,
        SIGNER: 'local',
        ALLOW_LOCAL_SIGNER: 'true',
        LOCAL_KEYSTORE_FILE: keystore(),
        LOCAL_KEYSTORE_PASSWORD: 'rotation drill only',
        CUSTOS_DATA_DIR: ctx.dir,
        CHAIN_INDEX_START_BLOCK: String(ctx.deployment.blockNumber),
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    for (let i = 0; i < 600; i++) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}: ${output}`);
      const up = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the service did not come up: ${output}`);
  }

  async function kill(): Promise<void> {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child!.kill('SIGKILL');
    await exited;
  }

  /** Starts a rotation over HTTP without waiting for it (the process is killed before it answers). */
  const startRotation = () => {
    void fetch(`${url}/v1/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${officer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ overlapSeconds: 3600 }),
    }).catch(() => undefined);
  };
  const keyRows = async () => ({
    active: (await ctx.db.signingKey.findFirstOrThrow({ where: { status: 'active' } })).address,
    staged: (await ctx.db.signingKey.findFirst({ where: { status: 'staged' } }))?.address,
  });

  /**
   * Restarts the service and checks the rotation from `previous` to `current` is complete: the database and the chain
   * agree, and each on-chain step was sent exactly once: the new key trusted once, the old one trusted once (when it
   * was registered or rotated in) and cut once.
   */
  async function restartAndExpect(previous: string, current: string): Promise<void> {
    await start();
    assert.deepEqual(await keyRows(), { active: current, staged: undefined });
    assert.equal(await chain.rotationState(), 'active');
    await chain.assertConsistent();
    assert.deepEqual([await chain.signerUpdates(previous), await chain.signerUpdates(current)], [2, 1]);
  }

  after(async () => {
    if (child && child.exitCode === null) await kill();
  });

  it('crash after staging (the first transaction lost with it), after the new key is trusted, and before the database switch', async () => {
    await start();
    officer = (
      await createApiKey(ctx.db, {
        tenantId: await ensureTenant(ctx.db, 'ops'),
        role: 'officer',
        label: 'rotation drill',
      })
    ).key;
    const first = (await keyRows()).active;
    await chain.assertConsistent();

    // 1. Killed while the new key's setSigner waits in the pool; the node then drops it (lost with the crash).
    await chain.automine(false);
    startRotation();
    const second = (await chain.pooledSetSigners(1))[0]!.signer;
    assert.equal(await chain.rotationState(), 'staged');
    assert.equal((await keyRows()).staged, second);
    await kill();
    await ctx.provider.send('anvil_dropAllTransactions', []);
    await chain.automine(true);
    assert.equal((await keyRows()).active, first);
    await chain.assertConsistent();
    await restartAndExpect(first, second);

    // 2. Killed once the new key is trusted on-chain, with the old key's cut in the pool; it is mined while the
    // service is down, and the restart must not send it again.
    await chain.automine(false);
    startRotation();
    const third = (await chain.pooledSetSigners(1))[0]!.signer;
    await chain.mine();
    const [cut] = await chain.pooledSetSigners(1);
    assert.equal(cut!.signer, second, 'the old key is being cut');
    assert.equal(await chain.rotationState(), 'trusted-on-chain');
    await kill();
    await chain.mine();
    await chain.automine(true);
    assert.equal((await keyRows()).active, second);
    await chain.assertConsistent();
    await restartAndExpect(second, third);

    // 3. Killed after both chain writes, while the database switch waits for a lock this test holds.
    let fourth = '';
    const locker = new pg.Client({ connectionString: ctx.postgres.url });
    await locker.connect();
    try {
      await chain.automine(false);
      startRotation();
      fourth = (await chain.pooledSetSigners(1))[0]!.signer;
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE signing_keys IN SHARE MODE');
      await chain.mine();
      await chain.pooledSetSigners(1);
      await chain.mine();
      for (let i = 0; i < 300 && (await chain.rotationState()) !== 'old-window-cut'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(await chain.rotationState(), 'old-window-cut');
      await kill();
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await chain.automine(true);
    }
    assert.deepEqual(await keyRows(), { active: third, staged: fourth });
    assert.ok(
      (await chain.window(third)).validUntil < SIGNER_TRUSTED_WITHOUT_END,
      'cut on-chain, not yet in the database',
    );
    await chain.assertConsistent();
    await restartAndExpect(third, fourth);

    const rotated = await ctx.db.auditEvent.findMany({
      where: { type: 'key.rotated' },
      orderBy: { seq: 'asc' },
    });
    assert.deepEqual(
      rotated.map((e) => (e.payload as { current: string }).current),
      [second, third, fourth],
      'one key.rotated event per rotation',
    );
    assert.match(output, new RegExp(`completing the key rotation from ${third} to ${fourth}`));
  });
});

/** A rotation whose transaction is never mined fails with 503; the next rotate call completes that same rotation. */
describe('key rotation: the next call completes one an outage interrupted', () => {
  const chain = useChainAndDatabase();
  const { ctx } = chain;

  it('is resumed, not restarted, and sends nothing already on-chain', async () => {
    const { operator, env } = chain.operatorAndEnv({ receiptTimeoutMs: 1_500, pollMs: 100 });
    const keys = await KeyManager.start(ctx.db, operator, env, () => undefined);
    try {
      const first = keys.current().address;
      await chain.automine(false);
      try {
        await assert.rejects(keys.rotate({ actor: 'test', overlapSeconds: 600 }), (error: CustosError) => {
          assert.equal(error.code, 'CHAIN_UNAVAILABLE');
          return true;
        });
      } finally {
        await chain.mine(); // the "lost" transaction is mined after all
        await chain.automine(true);
      }
      assert.equal(await chain.rotationState(), 'staged');
      assert.equal(keys.current().address, first, 'issuance stays on the old key until the rotation is done');
      await chain.assertConsistent();

      const resumed = await keys.rotate({ actor: 'test', overlapSeconds: 86_400 });
      assert.equal(resumed.resumed, true);
      assert.equal(resumed.previous, first);
      assert.equal(keys.current().address, resumed.current);
      assert.equal(await chain.rotationState(), 'active');
      await chain.assertConsistent();
      assert.equal(await chain.signerUpdates(resumed.current), 1, 'the new key was trusted once');
      const overlapEnd = Math.floor(Date.parse(resumed.overlapEndsAt) / 1000);
      assert.equal(
        (await chain.window(first)).validUntil,
        BigInt(overlapEnd),
        'the planned overlap, not the retry’s',
      );
      assert.ok(overlapEnd - Date.now() / 1000 < 700);
    } finally {
      keys.close();
      operator.destroy();
    }
  });
});

/** Two processes' KeyManagers on one database: a rotation through one is followed by the other's refresh. */
describe('key rotation: another process follows the database', () => {
  const chain = useChainAndDatabase();
  const { ctx } = chain;

  it('two starting together register one key; a refresh makes the other issue with the rotated key', async () => {
    const { operator, env } = chain.operatorAndEnv();
    // Started together, as replicas are: one first key between them.
    const [a, b] = await Promise.all([
      KeyManager.start(ctx.db, operator, env, () => undefined),
      KeyManager.start(ctx.db, operator, env, () => undefined),
    ]);
    try {
      const first = a.current().address;
      assert.equal(b.current().address, first);
      assert.equal(await ctx.db.signingKey.count(), 1, 'one key registered');
      assert.equal(await chain.signerUpdates(first), 1, 'and trusted once');

      const rotated = await a.rotate({ actor: 'test', overlapSeconds: 600 });
      assert.equal(a.current().address, rotated.current);
      assert.equal(b.current().address, first, 'b has not looked yet');
      await Promise.all([b.refresh(), b.refresh(), b.refresh()]);
      assert.equal(b.current().address, rotated.current);
      await b.refresh();
      assert.equal(b.current().address, rotated.current, 'nothing changes without a change');
    } finally {
      a.close();
      b.close();
      operator.destroy();
    }
  });

  it('a recorded key that went missing or was replaced is refused at start, never recreated', async () => {
    const { operator, env } = chain.operatorAndEnv();
    try {
      const active = await ctx.db.signingKey.findFirstOrThrow({ where: { status: 'active' } });
      const file = active.keyRef;
      const kept = `${file}.kept`;
      renameSync(file, kept);
      await assert.rejects(
        KeyManager.start(ctx.db, operator, env, () => undefined),
        /is missing: restore it/,
      );
      assert.equal(existsSync(file), false, 'no key was made in its place');

      const impostor = Wallet.createRandom();
      writeFileSync(file, await impostor.encrypt(env.LOCAL_KEYSTORE_PASSWORD ?? DEV_KEYSTORE_PASSWORD));
      await assert.rejects(
        KeyManager.start(ctx.db, operator, env, () => undefined),
        new RegExp(`opens as ${impostor.address}, but Custos recorded it as ${active.address}`),
      );

      renameSync(kept, file);
      const restored = await KeyManager.start(ctx.db, operator, env, () => undefined);
      assert.equal(restored.current().address, active.address);
      restored.close();
    } finally {
      operator.destroy();
    }
  });
});

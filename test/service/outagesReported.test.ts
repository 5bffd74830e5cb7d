import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JsonRpcProvider, Wallet } from 'ethers';
import { pino } from 'pino';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  freePort,
  startAnvil,
  type AnvilHandle,
  type Deployment,
} from '../../src/chain/index.js';
import { loadEnv } from '../../src/config/index.js';
import {
  closeDatabase,
  createDatabase,
  startEmbeddedPostgres,
  type Database,
  type EmbeddedPostgresHandle,
} from '../../src/db/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

/** A chain node that cannot be read is reported as such: never as a crash in parsing, never as "not on-chain". */
describe('chain outages are reported as what they are', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'custos-chain-outage-'));
  chmodSync(dir, 0o755);
  let postgres: TestPostgres;
  let anvil: AnvilHandle | undefined;
  let deployment: Deployment;
  let env: Record<string, string>;

  before(async () => {
    [postgres, anvil] = await Promise.all([startTestPostgres(), startAnvil()]);
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { staticNetwork: true });
    deployment = await deployCustos({
      deployer: new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider),
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 86_400 }],
    });
    provider.destroy();
    // A local signer against a configured chain is refused unless meant, and then its keystore must exist.
    const keystore = path.join(dir, 'signer.json');
    writeFileSync(keystore, await Wallet.createRandom().encrypt('outage drill only'));
    env = {
      ALLOW_LOCAL_SIGNER: 'true',
      PORT: '0',
      CUSTOS_DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: postgres.url,
      RPC_URL: anvil.rpcUrl,
      GATEKEEPER_ADDRESS: deployment.contracts.ComplianceGatekeeper,
      REVOCATION_REGISTRY_ADDRESS: deployment.contracts.RevocationRegistry,
      OPERATOR_PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY,
      SIGNER: 'local',
      LOCAL_KEYSTORE_FILE: path.join(dir, 'signer.json'),
      LOCAL_KEYSTORE_PASSWORD: 'outage drill only',
    };
  });
  after(async () => {
    await Promise.all([anvil?.stop(), postgres?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** An HTTP server in front of nothing, answering eth_chainId the way broken nodes and proxies do. */
  async function brokenNode(answer: (res: http.ServerResponse) => void): Promise<http.Server> {
    const server = http.createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  const cases: [string, (res: http.ServerResponse) => void, RegExp][] = [
    [
      "a proxy's 502 page",
      (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>'),
      /^the node at RPC_URL did not answer eth_chainId with a chain id \(HTTP 502, not JSON\)$/,
    ],
    [
      'a JSON-RPC error',
      (res) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            error: { code: -32005, message: 'daily request limit reached' },
          }),
        ),
      /^the node at RPC_URL did not answer eth_chainId with a chain id \(JSON-RPC error: daily request limit reached\)$/,
    ],
    [
      'an answer without a result',
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":1}'),
      /^the node at RPC_URL did not answer eth_chainId with a chain id \(HTTP 200, result undefined\)$/,
    ],
  ];
  for (const [name, answer, expected] of cases) {
    it(`start-up against ${name} stops with one line saying so`, async () => {
      const node = await brokenNode(answer);
      try {
        const { port } = node.address() as AddressInfo;
        await assert.rejects(
          startService(loadEnv({ ...env, RPC_URL: `http://127.0.0.1:${port}` }), pino({ level: 'silent' })),
          (error: Error) => {
            assert.match(error.message, expected);
            return true;
          },
        );
      } finally {
        node.closeAllConnections();
        await new Promise((resolve) => node.close(resolve));
      }
    });
  }

  it('GET /v1/keys with the chain down is 503 CHAIN_UNAVAILABLE, not keys "not on-chain"', async () => {
    let service: RunningService | undefined;
    let db: Database | undefined;
    try {
      service = await startService(loadEnv(env), pino({ level: 'silent' }));
      db = createDatabase(postgres.url, 1);
      const officer = (
        await createApiKey(db, { tenantId: await ensureTenant(db, 'ops'), role: 'officer', label: 'outage' })
      ).key;
      const keys = () =>
        fetch(`${service!.url}/v1/keys`, { headers: { authorization: `Bearer ${officer}` } }).then(
          async (r) => ({
            status: r.status,
            body: (await r.json()) as any, // eslint-disable-line @typescript-eslint/no-explicit-any
          }),
        );
      const up = await keys();
      assert.equal(up.status, 200);
      assert.notEqual(up.body.keys[0].onChain, null, 'the registered key is trusted on-chain');

      await anvil!.stop();
      anvil = undefined;
      const down = await keys();
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.equal(down.body.error.code, 'CHAIN_UNAVAILABLE');
    } finally {
      if (db) await closeDatabase(db);
      await service?.stop();
    }
  });
});

/** An API key the service has not cached yet, while the database is down: the outage, not a crash (500). */
describe('authentication while the database is down', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'custos-db-outage-'));
  chmodSync(dir, 0o755);
  let pgPort: number;
  let postgres: EmbeddedPostgresHandle | undefined;
  let service: RunningService | undefined;
  const startPostgres = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort });

  before(async () => {
    pgPort = await freePort();
    postgres = await startPostgres();
    service = await startService(
      loadEnv({
        PORT: '0',
        CUSTOS_DATA_DIR: path.join(dir, 'data'),
        DATABASE_URL: postgres.url,
        ALLOW_EMBEDDED_CHAIN: 'true',
      }),
      pino({ level: 'silent' }),
    );
  });
  after(async () => {
    await service?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is 503 DATABASE_UNAVAILABLE (so is an unguarded read), and the same key works once the database is back', async () => {
    const db = createDatabase(postgres!.url, 1);
    const officer = (
      await createApiKey(db, { tenantId: await ensureTenant(db, 'ops'), role: 'officer', label: 'db outage' })
    ).key;
    await closeDatabase(db);
    const status = () =>
      fetch(`${service!.url}/v1/audit/status`, { headers: { authorization: `Bearer ${officer}` } }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as any }), // eslint-disable-line @typescript-eslint/no-explicit-any
      );
    await postgres!.stop();
    postgres = undefined;
    try {
      const down = await status();
      assert.equal(down.status, 503, JSON.stringify(down.body));
      assert.equal(down.body.error.code, 'DATABASE_UNAVAILABLE');
      // A public read with no key to check: the same answer, not a 500.
      const signersDown = await fetch(`${service!.url}/v1/signers`);
      assert.equal(signersDown.status, 503);
      assert.equal(
        ((await signersDown.json()) as { error: { code: string } }).error.code,
        'DATABASE_UNAVAILABLE',
      );
    } finally {
      postgres = await startPostgres();
    }
    for (let i = 0; i < 100; i++) {
      const up = await status();
      if (up.status === 200) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail('the service did not recover with the database');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { custos } from '../helpers/cli.js';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * Tenants and API keys against the real service: the first admin key from `custos admin bootstrap`, then tenants
 * and keys through the admin API and the CLI, every change audited and no secret stored or logged.
 */
const SOMEONE = Wallet.createRandom().address;

describe('admin: bootstrap, tenants and API keys', () => {
  let t: TestService;
  let admin: string;
  const adminEnv = () => ({ CUSTOS_URL: t.service.url, CUSTOS_ADMIN_KEY: admin, CUSTOS_DATA_DIR: t.dataDir });

  before(async () => {
    t = await startTestService();
  });
  after(async () => {
    await t?.stop();
  });

  const whoAmI = (key: string) => t.request('GET', `/v1/attestations?subject=${SOMEONE}&limit=1`, { key });

  it('custos admin bootstrap makes the first admin key once, even when run twice at once', async () => {
    const env = { DATABASE_URL: t.postgres.url, CUSTOS_DATA_DIR: t.dataDir };
    const runs = await Promise.all([
      custos(['admin', 'bootstrap', '--json'], env),
      custos(['admin', 'bootstrap', '--json'], env),
    ]);
    const succeeded = runs.filter((r) => r.code === 0);
    assert.equal(succeeded.length, 1, runs.map((r) => r.stderr).join('\n'));
    assert.match(runs.find((r) => r.code !== 0)!.stderr, /ALREADY_EXISTS/);
    const created = JSON.parse(succeeded[0]!.stdout);
    assert.equal(created.apiKey.role, 'admin');
    assert.equal(created.apiKey.tenant, 'operator');
    admin = created.key;

    const tenants = await t.request('GET', '/v1/admin/tenants', { key: admin });
    assert.equal(tenants.status, 200);
    assert.ok(tenants.body.tenants.some((x: { name: string }) => x.name === 'operator'));

    const noDatabase = await custos(['admin', 'bootstrap'], { DATABASE_URL: '', CUSTOS_DATA_DIR: t.dataDir });
    assert.notEqual(noDatabase.code, 0);
    assert.match(noDatabase.stderr, /needs DATABASE_URL/);
    const [event] = await t.db.$queryRaw<{ actor: string }[]>`
      SELECT actor FROM audit_events WHERE type = 'admin.bootstrapped'`;
    assert.match(event!.actor, /^cli:bootstrap:/);
  });

  it('tenants: created once, named by the grammar, admins only', async () => {
    const created = await t.request('POST', '/v1/admin/tenants', {
      key: admin,
      body: { name: 'acme-exchange' },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.apiKeys, 0);
    const twice = await t.request('POST', '/v1/admin/tenants', {
      key: admin,
      body: { name: 'acme-exchange' },
    });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'ALREADY_EXISTS');
    for (const name of ['', 'Acme Exchange', 'a'.repeat(65), 'acme\u0000', 42]) {
      const bad = await t.request('POST', '/v1/admin/tenants', { key: admin, body: { name } });
      assert.equal(bad.status, 400, JSON.stringify(name));
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    }
    const officer = await t.key('officer');
    const refused = await t.request('POST', '/v1/admin/tenants', { key: officer, body: { name: 'sneaky' } });
    assert.equal(refused.status, 403);
    const anonymous = await t.request('GET', '/v1/admin/tenants');
    assert.equal(anonymous.status, 401);
  });

  it('an API key made by an admin works at once; its secret is answered once and stored nowhere', async () => {
    const created = await t.request('POST', '/v1/admin/api-keys', {
      key: admin,
      body: { tenant: 'acme-exchange', role: 'dapp', label: 'production backend', rateLimitPerMinute: 6000 },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const { key, apiKey } = created.body;
    assert.match(key, new RegExp(`^cst_${apiKey.prefix}_`));
    assert.equal((await whoAmI(key)).status, 200);

    const listed = await t.request('GET', '/v1/admin/api-keys?tenant=acme-exchange', { key: admin });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.apiKeys.map((k: { id: string }) => k.id),
      [apiKey.id],
    );
    assert.ok(!JSON.stringify(listed.body).includes(key), 'listing never shows a secret');
    const stored = await t.db.$queryRaw<{ text: string }[]>`
      SELECT concat_ws(' ', (SELECT string_agg(payload::text, ' ') FROM audit_events),
                            (SELECT string_agg(row_to_json(k)::text, ' ') FROM api_keys k)) AS text`;
    assert.ok(
      !stored[0]!.text.includes(key.split('_').at(-1)),
      'neither the audit log nor the keys table holds it',
    );
    const [audited] = await t.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM audit_events WHERE type = 'api_key.created' AND payload->>'apiKeyId' = ${apiKey.id}`;
    assert.equal(audited!.n, 1n);

    for (const body of [
      { tenant: 'nobody', role: 'dapp', label: 'x' },
      { tenant: 'acme-exchange', role: 'root', label: 'x' },
      { tenant: 'acme-exchange', role: 'dapp', label: 'x', expiresAt: '2020-01-01T00:00:00Z' },
      { tenant: 'acme-exchange', role: 'dapp', label: 'x', rateLimitPerMinute: 0 },
      { tenant: 'acme-exchange', role: 'dapp', label: 'x', extra: true },
    ]) {
      const bad = await t.request('POST', '/v1/admin/api-keys', { key: admin, body });
      assert.ok([400, 404].includes(bad.status), `${JSON.stringify(body)}: ${bad.status}`);
      assert.ok(bad.body.error.code, JSON.stringify(bad.body));
    }
    assert.equal((await t.request('GET', '/v1/admin/api-keys?tenant=nobody', { key: admin })).status, 404);
    assert.equal(
      (await t.request('POST', '/v1/admin/api-keys/not-a-uuid/revoke', { key: admin })).status,
      400,
    );
  });

  it('a revoked key is refused at once; revoking it again is 409', async () => {
    const { key, apiKey } = (
      await t.request('POST', '/v1/admin/api-keys', {
        key: admin,
        body: { tenant: 'acme-exchange', role: 'officer', label: 'leaving officer' },
      })
    ).body;
    assert.equal((await whoAmI(key)).status, 200);
    const revoked = await t.request('POST', `/v1/admin/api-keys/${apiKey.id}/revoke`, { key: admin });
    assert.equal(revoked.status, 200);
    assert.ok(revoked.body.revokedAt);
    assert.equal((await whoAmI(key)).status, 401);
    const again = await t.request('POST', `/v1/admin/api-keys/${apiKey.id}/revoke`, { key: admin });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'ALREADY_REVOKED');
    const missing = await t.request('POST', `/v1/admin/api-keys/${crypto.randomUUID()}/revoke`, {
      key: admin,
    });
    assert.equal(missing.status, 404);
  });

  it('rotating a key: the new secret works now, the old one until the overlap ends', async () => {
    const { key: old, apiKey } = (
      await t.request('POST', '/v1/admin/api-keys', {
        key: admin,
        body: { tenant: 'acme-exchange', role: 'dapp', label: 'rotated', rateLimitPerMinute: 1234 },
      })
    ).body;
    const rotated = await t.request('POST', `/v1/admin/api-keys/${apiKey.id}/rotate`, {
      key: admin,
      body: { overlapSeconds: 3600 },
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.equal(rotated.body.apiKey.rateLimitPerMinute, 1234, 'same tenant, role, label and rate');
    assert.equal(rotated.body.apiKey.role, 'dapp');
    assert.equal((await whoAmI(rotated.body.key)).status, 200);
    assert.equal((await whoAmI(old)).status, 200, 'the old one still works during the overlap');

    const immediate = await t.request('POST', `/v1/admin/api-keys/${rotated.body.apiKey.id}/rotate`, {
      key: admin,
      body: { overlapSeconds: 0 },
    });
    assert.equal(immediate.status, 200);
    assert.equal((await whoAmI(rotated.body.key)).status, 401, 'no overlap: refused at once');
    assert.equal((await whoAmI(immediate.body.key)).status, 200);
    const tooLong = await t.request('POST', `/v1/admin/api-keys/${apiKey.id}/rotate`, {
      key: admin,
      body: { overlapSeconds: 31 * 86_400 },
    });
    assert.equal(tooLong.status, 400);
  });

  const newKey = async (body: object = {}) => {
    const created = await t.request('POST', '/v1/admin/api-keys', {
      key: admin,
      body: { tenant: 'acme-exchange', role: 'dapp', label: 'lineage', ...body },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    return created.body as { key: string; apiKey: { id: string; expiresAt: string | null } };
  };
  const rotateKey = (id: string, overlapSeconds: number) =>
    t.request('POST', `/v1/admin/api-keys/${id}/rotate`, { key: admin, body: { overlapSeconds } });
  const revokeKey = (id: string) => t.request('POST', `/v1/admin/api-keys/${id}/revoke`, { key: admin });

  it("a rotated key's successor keeps its expiry, even when the overlap would outlast it", async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const { apiKey } = await newKey({ expiresAt });
    const longOverlap = await rotateKey(apiKey.id, 2 * 86_400);
    assert.equal(longOverlap.status, 200, JSON.stringify(longOverlap.body));
    assert.equal(longOverlap.body.apiKey.expiresAt, expiresAt);
    assert.equal(longOverlap.body.previous.expiresAt, expiresAt);
    const shortOverlap = await rotateKey(longOverlap.body.apiKey.id, 60);
    assert.equal(shortOverlap.body.apiKey.expiresAt, expiresAt);
  });

  it('revoking a key revokes its lineage; a revocation and a rotation at once: one wins, the other is 409', async () => {
    const { key: old, apiKey } = await newKey();
    const rotated = await rotateKey(apiKey.id, 3600);
    assert.equal((await revokeKey(apiKey.id)).status, 200);
    assert.equal((await whoAmI(old)).status, 401);
    assert.equal((await whoAmI(rotated.body.key)).status, 401, 'its successor is revoked with it');
    assert.equal((await rotateKey(rotated.body.apiKey.id, 0)).body.error.code, 'ALREADY_REVOKED');

    for (let attempt = 0; attempt < 5; attempt++) {
      const { apiKey: raced } = await newKey();
      const answers = await Promise.all([revokeKey(raced.id), rotateKey(raced.id, 0)]);
      assert.deepEqual(
        answers.map((a) => a.status).sort(),
        [200, 409],
        JSON.stringify(answers.map((a) => a.body)),
      );
      assert.equal(answers.find((a) => a.status === 409)!.body.error.code, 'ALREADY_REVOKED');
      const [lineage] = await t.db.$queryRaw<{ live: bigint }[]>`
        SELECT count(*) AS live FROM api_keys WHERE lineage_id = ${raced.id}::uuid AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now())`;
      assert.equal(
        lineage!.live,
        answers[0]!.status === 200 ? 0n : 1n,
        'a revoked key never has a live successor',
      );
    }
  });

  it('tenant names are unique whatever their case, also when created at once', async () => {
    const upper = await t.request('POST', '/v1/admin/tenants', {
      key: admin,
      body: { name: 'ACME-Exchange' },
    });
    assert.equal(upper.status, 409, JSON.stringify(upper.body));
    assert.equal(upper.body.error.code, 'ALREADY_EXISTS');
    const answers = await Promise.all(
      ['case-race', 'CASE-RACE'].map((name) =>
        t.request('POST', '/v1/admin/tenants', { key: admin, body: { name } }),
      ),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
  });

  it('the CLI: tenants and keys with an admin key; an officer key is refused', async () => {
    const tenant = await custos(['tenants', 'create', 'cli-tenant', '--json'], adminEnv());
    assert.equal(tenant.code, 0, tenant.stderr);
    const created = await custos(
      ['api-keys', 'create', '--tenant', 'cli-tenant', '--role', 'regulator', '--label', 'regulator X'],
      adminEnv(),
    );
    assert.equal(created.code, 0, created.stderr);
    const secret = /key \(shown once, store it now\): (\S+)/.exec(created.stdout)?.[1];
    assert.ok(secret, created.stdout);
    assert.equal((await t.request('GET', '/v1/audit/status', { key: secret })).status, 200);

    const list = await custos(['api-keys', 'list', '--tenant', 'cli-tenant', '--json'], adminEnv());
    assert.equal(list.code, 0, list.stderr);
    const [key] = JSON.parse(list.stdout).apiKeys;
    assert.equal(key.label, 'regulator X');
    const rotate = await custos(['api-keys', 'rotate', key.id, '--overlap', '0s', '--json'], adminEnv());
    assert.equal(rotate.code, 0, rotate.stderr);
    assert.equal((await t.request('GET', '/v1/audit/status', { key: secret })).status, 401);
    const badDuration = await custos(['api-keys', 'rotate', key.id, '--overlap', 'soon'], adminEnv());
    assert.notEqual(badDuration.code, 0);
    assert.match(badDuration.stderr, /duration/);
    const revoke = await custos(['api-keys', 'revoke', JSON.parse(rotate.stdout).apiKey.id], adminEnv());
    assert.equal(revoke.code, 0, revoke.stderr);

    const asOfficer = await custos(['tenants', 'list'], {
      ...adminEnv(),
      CUSTOS_ADMIN_KEY: await t.key('officer'),
    });
    assert.notEqual(asOfficer.code, 0);
    assert.match(asOfficer.stderr, /FORBIDDEN/);
  });
});

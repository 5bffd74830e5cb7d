import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Wallet } from 'ethers';
import { APPROVED_KYC } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

const MiB = 1024 * 1024;

/**
 * POSTs `bytes` of JSON-looking garbage as a stream (constant memory on the client side) and resolves with the
 * status the server answered, or with the network error when it closed the connection first.
 */
function streamBody(url: string, route: string, bytes: number, headers: Record<string, string> = {}) {
  return new Promise<{ status?: number; body: string; error?: string }>((resolve) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const request = http.request(`${url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(bytes), ...headers },
    });
    let settled = false;
    const done = (value: { status?: number; body: string; error?: string }) => {
      if (!settled) resolve(value);
      settled = true;
    };
    request.on('response', (response) => {
      let body = '';
      response.on('data', (data: Buffer) => (body += data.toString()));
      response.on('end', () => done({ status: response.statusCode, body }));
      response.on('error', () => done({ status: response.statusCode, body }));
    });
    request.on('error', (error) => done({ body: '', error: (error as NodeJS.ErrnoException).code }));
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !request.destroyed) {
        const slice = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += slice.length;
        if (!request.write(slice)) return void request.once('drain', pump);
      }
      if (!request.destroyed) request.end();
    };
    pump();
  });
}

describe('hostile input', () => {
  let t: TestService;
  let officer: string;

  before(async () => {
    t = await startTestService({ SANCTIONS_BODY_LIMIT: '1mb' });
    officer = await t.key('officer');
  });
  after(async () => {
    await t?.stop();
  });

  it('four unauthenticated 150 MB bodies are refused without being read: memory stays flat', async () => {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const healthLatencies: number[] = [];
    const prober = setInterval(async () => {
      const started = performance.now();
      await fetch(`${t.service.url}/healthz`);
      healthLatencies.push(performance.now() - started);
    }, 100);
    const routes = ['/v1/sanctions', '/v1/sanctions', '/v1/attest', '/v1/revocations'];
    const answers = await Promise.all(routes.map((route) => streamBody(t.service.url, route, 150 * MiB)));
    clearInterval(sampler);
    clearInterval(prober);
    for (const answer of answers) {
      // Answered 401 before the body was read; the server then closes rather than drains the connection.
      assert.ok(
        answer.status === 401 || answer.error === 'ECONNRESET' || answer.error === 'EPIPE',
        JSON.stringify(answer),
      );
      if (answer.status) assert.equal(JSON.parse(answer.body).error.code, 'UNAUTHENTICATED');
    }
    const growth = (peak - rssBefore) / MiB;
    const slowest = Math.max(0, ...healthLatencies);
    console.log(
      `# 4 × 150 MiB unauthenticated: RSS ${Math.round(rssBefore / MiB)} → peak ${Math.round(peak / MiB)} MiB (+${growth.toFixed(1)}), slowest /healthz ${slowest.toFixed(0)} ms`,
    );
    // The bound is memory, not time: a server that parsed these would need gigabytes.
    assert.ok(growth < 100, `RSS grew by ${growth.toFixed(1)} MiB`);
  });

  it("an officer's raw sanctions upload is streamed and stops at SANCTIONS_BODY_LIMIT with 413", async () => {
    const auth = { authorization: `Bearer ${officer}`, 'content-type': 'text/plain' };
    const declared = await streamBody(t.service.url, '/v1/sanctions?name=big', 5 * MiB, auth);
    assert.ok(
      declared.status === 413 || declared.error === 'ECONNRESET' || declared.error === 'EPIPE',
      JSON.stringify(declared),
    );
    const chunked = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${t.service.url}/v1/sanctions?name=big`, {
        method: 'POST',
        headers: auth,
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode!);
      });
      request.on('error', reject);
      const line = Buffer.from('0x3333333333333333333333333333333333333333\n');
      for (let i = 0; i < (2 * MiB) / line.length; i++) request.write(line);
      request.end();
    });
    assert.equal(chunked, 413);
    assert.equal(await t.db.sanctionsList.count({ where: { name: 'big' } }), 0);
    const small = await t.request('POST', '/v1/sanctions?name=small', {
      key: officer,
      raw: '0x3333333333333333333333333333333333333333\n',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(small.status, 200, JSON.stringify(small.body));
    assert.equal(small.body.entryCount, 1);
  });

  it('bad input that used to be a 500 is a 400 with a code, and writes nothing', async () => {
    const subject = Wallet.createRandom().address;
    await t.request('PUT', `/v1/kyc/${subject}`, { key: officer, body: APPROVED_KYC });
    const [regulator, dapp] = await Promise.all([t.key('regulator'), t.key('dapp')]);
    const cases: [
      string,
      string,
      { key: string; raw?: string; body?: unknown; headers?: Record<string, string> },
    ][] = [
      [
        'POST',
        '/v1/revocations',
        { key: officer, raw: `{"target":"${subject}","reason":"nul \\u0000 here"}` },
      ],
      [
        'POST',
        '/v1/revocations',
        { key: officer, raw: `{"target":"${subject}","reason":"lone \\ud800 surrogate"}` },
      ],
      [
        'PUT',
        `/v1/kyc/${subject}`,
        { key: officer, raw: JSON.stringify({ ...APPROVED_KYC, reference: 'a\u0000b' }) },
      ],
      ['PUT', `/v1/kyc/${subject}`, { key: officer, body: { ...APPROVED_KYC, birthDate: '0000-01-01' } }],
      ['GET', '/v1/audit/events?cursor=9999999999999999999', { key: regulator }],
      ['GET', '/v1/audit/events/9999999999999999999', { key: regulator }],
      ['GET', '/v1/audit/events?from=0000-01-01T00:00:00Z', { key: regulator }],
      ['GET', '/v1/audit/events?to=%2B275760-09-13T00:00:00Z', { key: regulator }],
      ['GET', `/v1/attestations/0x${'0'.repeat(63)}g`, { key: regulator }],
      ['POST', '/v1/keys/rotate', { key: officer, body: { kmsKeyId: 'not a key' } }],
      [
        'POST',
        '/v1/revocations',
        { key: officer, raw: `{"target":"${subject}","target":"0x${'1'.repeat(64)}","reason":"twice"}` },
      ],
      // Bodies that claim a compression they do not have.
      [
        'POST',
        '/v1/revocations',
        {
          key: officer,
          raw: `{"target":"${subject}","reason":"abc"}`,
          headers: { 'content-encoding': 'gzip' },
        },
      ],
      ['POST', '/v1/attest', { key: dapp, raw: 'xx', headers: { 'content-encoding': 'deflate' } }],
    ];
    const before = await t.db.auditEvent.count({ where: { type: { not: 'audit.read' } } });
    for (const [method, route, options] of cases) {
      const response = await t.request(method, route, options);
      assert.equal(response.status, 400, `${method} ${route} ${options.raw ?? JSON.stringify(options.body)}`);
      assert.match(response.body.error.code, /^(VALIDATION_FAILED|MALFORMED_JSON)$/);
    }
    assert.equal(await t.db.auditEvent.count({ where: { type: { not: 'audit.read' } } }), before);
    assert.equal(await t.db.hold.count({ where: { subject } }), 0);
  });

  it('failed authentications are throttled per client address', async () => {
    const bad = `cst_${'0'.repeat(12)}_${'A'.repeat(43)}`;
    const answers = [];
    for (let i = 0; i < 100; i++) answers.push((await t.request('GET', '/v1/keys', { key: bad })).status);
    const refused = answers.filter((s) => s === 401).length;
    const throttled = answers.filter((s) => s === 429).length;
    console.log(`# 100 bad keys from one address: ${refused} × 401, then ${throttled} × 429`);
    assert.equal(refused + throttled, 100);
    // 60 per minute, less the four unauthenticated uploads above, plus what refilled meanwhile.
    assert.ok(refused >= 54 && refused <= 62, `${refused} refusals before throttling (limit 60 per minute)`);
    // While the address is throttled, even a good key from it waits: keys cannot be guessed at speed.
    const good = await t.request('GET', '/v1/keys', { key: officer });
    assert.equal(good.status, 429);
    assert.ok(Number(good.headers.get('retry-after')) >= 1);
    const metrics = String((await t.request('GET', '/metrics')).body);
    assert.match(metrics, /custos_authentication_failures_total \d+/);
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CustosApiError, CustosClient } from '@custos/sdk';

/** A local server answering from `answer`, counting requests per path; a client with fast retries against it. */
describe('CustosClient retries and errors', () => {
  let answer: (req: IncomingMessage, res: ServerResponse, count: number) => void = () => {};
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const count = (seen.get(req.url!) ?? 0) + 1;
    seen.set(req.url!, count);
    answer(req, res, count);
  });
  let client: CustosClient;
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const busy = { error: { code: 'BUSY', message: 'try again' } };

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new CustosClient({
      url: `http://127.0.0.1:${port}`,
      apiKey: 'cst_test',
      retryDelayMs: 1,
      maxRetryDelayMs: 50,
    });
  });
  after(() => new Promise((resolve) => server.close(resolve)));
  const subject = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

  it('retries a GET on 503, and caps a huge Retry-After', { timeout: 20_000 }, async () => {
    seen.clear();
    answer = (_req, res, count) =>
      count < 3 ? json(res, 503, busy, { 'retry-after': '86400' }) : json(res, 200, { attestations: [] });
    const started = Date.now();
    const listed = await client.listAttestations(subject);
    assert.deepEqual(listed.attestations, []);
    assert.equal(seen.get(`/v1/attestations?subject=${subject}`), 3);
    assert.ok(Date.now() - started < 10_000, 'Retry-After: 86400 was capped, not obeyed');
  });

  it('does not repeat a write without an Idempotency-Key, and names the API error', async () => {
    seen.clear();
    answer = (_req, res) => json(res, 503, busy);
    await assert.rejects(
      client.call('revoke', { body: { target: subject, reasonCode: 'OTHER', reason: 'test' } }),
      (error: unknown) => error instanceof CustosApiError && error.code === 'BUSY' && error.status === 503,
    );
    assert.equal(seen.get('/v1/revocations'), 1);
  });

  it('an unknown or prototype-named code, or a proxy page, is HTTP_ERROR with its status', async () => {
    for (const [body, type] of [
      [JSON.stringify({ error: { code: 'toString', message: 'x' } }), 'application/json'],
      ['<html>bad gateway</html>', 'text/html'],
    ] as const) {
      answer = (_req, res) => res.writeHead(400, { 'content-type': type }).end(body);
      await assert.rejects(
        client.listAttestations(subject),
        (error: unknown) =>
          error instanceof CustosApiError && error.code === 'HTTP_ERROR' && error.status === 400,
      );
    }
  });
});

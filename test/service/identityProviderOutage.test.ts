import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { RegulatorTokenVerifier } from '../../src/auth/index.js';
import { freePort } from '../../src/chain/index.js';
import { CustosError } from '../../src/errors/index.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ISSUER = 'https://idp.regulator.example';
const AUDIENCE = 'custos-audit';

/**
 * A real HTTP identity provider on a fixed port that the test starts, stops and breaks: it serves the key set, or
 * answers 500, or something that is not a key set, or never answers.
 */
class IdentityProvider {
  mode: 'up' | 'error' | 'garbage' | 'hang' = 'up';
  fetches = 0;
  private server?: http.Server;

  constructor(
    readonly port: number,
    private readonly jwk: JWK,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((_req, res) => {
      this.fetches++;
      if (this.mode === 'hang') return; // never answers
      if (this.mode === 'error') return void res.writeHead(500).end('upstream down');
      res.setHeader('content-type', 'application/json');
      res.end(this.mode === 'garbage' ? '<html>maintenance</html>' : JSON.stringify({ keys: [this.jwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  }
}

async function signingKey() {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  return { privateKey: pair.privateKey, jwk };
}

const now = () => Math.floor(Date.now() / 1000);
const token = (key: CryptoKey, claims: { aud?: string; exp?: number; iat?: number } = {}) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject('inspector-7')
    .setIssuer(ISSUER)
    .setAudience(claims.aud ?? AUDIENCE)
    .setIssuedAt(claims.iat ?? now())
    .setExpirationTime(claims.exp ?? now() + 600)
    .sign(key);

describe('regulator tokens while the identity provider is down (the service)', () => {
  let t: TestService;
  let idp: IdentityProvider;
  let privateKey: CryptoKey;

  before(async () => {
    const key = await signingKey();
    privateKey = key.privateKey;
    idp = new IdentityProvider(await freePort(), key.jwk);
    t = await startTestService({
      REGULATOR_JWT_ISSUER: ISSUER,
      REGULATOR_JWT_AUDIENCE: AUDIENCE,
      REGULATOR_JWKS_URL: idp.url,
    });
  });
  after(async () => {
    await t?.stop();
    await idp?.stop();
  });

  const read = (jwt: string) => t.request('GET', '/v1/audit/events?limit=1', { key: jwt });

  it('a good token is 503 IDENTITY_PROVIDER_UNAVAILABLE, bad ones stay 401; once it is back, 200; then cached keys carry an outage', async () => {
    // The provider has never answered (not listening).
    const down = await read(await token(privateKey));
    assert.equal(down.status, 503, JSON.stringify(down.body));
    assert.equal(down.body.error.code, 'IDENTITY_PROVIDER_UNAVAILABLE');
    for (const bad of [
      await token(privateKey, { exp: now() - 120, iat: now() - 600 }),
      await token(privateKey, { aud: 'someone-else' }),
      await token(privateKey, { iat: now() - 7200 }),
    ]) {
      const refused = await read(bad);
      assert.equal(refused.status, 401, 'a token that is bad whoever signed it needs no identity provider');
      assert.equal(refused.body.error.code, 'UNAUTHENTICATED');
    }

    await idp.start();
    assert.equal((await read(await token(privateKey))).status, 200);
    const forged = await read(await token((await signingKey()).privateKey));
    assert.equal(forged.status, 401, 'a token signed by another key is refused once the keys are known');

    // Down again: the keys fetched a moment ago are still valid, so nothing changes for good tokens.
    await idp.stop();
    const fetches = idp.fetches;
    assert.equal((await read(await token(privateKey))).status, 200);
    assert.equal(idp.fetches, fetches, 'served from the cache');
  });
});

describe('regulator tokens: how the identity provider fails (the verifier)', () => {
  let idp: IdentityProvider;
  let privateKey: CryptoKey;
  let verifier: RegulatorTokenVerifier;

  before(async () => {
    const key = await signingKey();
    privateKey = key.privateKey;
    idp = new IdentityProvider(await freePort(), key.jwk);
    await idp.start();
    verifier = await RegulatorTokenVerifier.create({
      jwksUrl: idp.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['RS256'],
      maxTokenAgeSeconds: 3600,
      rateLimitPerMinute: 60,
      // Keys expire quickly here so the test can see what happens after the cache runs out.
      jwksCache: { cacheMaxAge: 200, cooldownDuration: 100, timeoutDuration: 500 },
    });
  });
  after(async () => {
    await idp?.stop();
  });

  const expired = () => new Promise((r) => setTimeout(r, 250));

  for (const mode of ['error', 'garbage', 'hang'] as const) {
    it(`keys past their cache age and a provider that ${mode === 'error' ? 'answers 500' : mode === 'garbage' ? 'answers something other than a key set' : 'never answers'}: 503, then back to normal`, async () => {
      idp.mode = 'up';
      assert.equal((await verifier.verify(await token(privateKey)))?.role, 'regulator');
      idp.mode = mode;
      await expired();
      await assert.rejects(verifier.verify(await token(privateKey)), (error: CustosError) => {
        assert.equal(error.code, 'IDENTITY_PROVIDER_UNAVAILABLE');
        assert.equal(error.status, 503);
        return true;
      });
      assert.equal(await verifier.verify(await token(privateKey, { aud: 'someone-else' })), null);
      idp.mode = 'up';
      assert.equal((await verifier.verify(await token(privateKey)))?.keyId, `jwt:${ISSUER}:inspector-7`);
    });
  }

  it('a token for a kid the provider does not have is 401 while the provider answers', async () => {
    idp.mode = 'up';
    const unknownKid = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'not-there' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    assert.equal(await verifier.verify(unknownKid), null);
  });
});

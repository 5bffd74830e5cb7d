import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { RegulatorTokenVerifier } from '../../src/auth/index.js';
import { startTestService, type TestService } from '../helpers/service.js';

const ISSUER = 'https://idp.regulator.example';
const AUDIENCE = 'custos-audit';

/** Regulators signing in with their identity provider's JWTs (SECURITY.md, checklist 23). */
describe('regulator JWTs', () => {
  let t: TestService;
  let jwks: http.Server;
  let privateKey: CryptoKey;
  let publicPem: string;

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    t = await startTestService({
      REGULATOR_JWT_ISSUER: ISSUER,
      REGULATOR_JWT_AUDIENCE: AUDIENCE,
      REGULATOR_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    });
  });
  after(async () => {
    await t?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const token = (
    claims: { iss?: string; aud?: string; exp?: number; iat?: number } = {},
    key = privateKey,
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('inspector-42')
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt(claims.iat ?? now)
      .setExpirationTime(claims.exp ?? now + 600)
      .sign(key);
  };
  const read = (jwt: string) => t.request('GET', '/v1/audit/events?limit=1', { key: jwt });

  it('a valid token reads the audit log, attributed to its subject', async () => {
    const response = await read(await token());
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const event = await t.db.auditEvent.findFirst({
      where: { type: 'audit.read' },
      orderBy: { seq: 'desc' },
    });
    assert.equal(event?.actor, `jwt:${ISSUER}:inspector-42`);
  });

  it('a valid token can change nothing and issue nothing', async () => {
    const jwt = await token();
    assert.equal(
      (
        await t.request('POST', '/v1/revocations', {
          key: jwt,
          body: { target: `0x${'1'.repeat(64)}`, reason: 'nope' },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await t.request('POST', '/v1/attest', {
          key: jwt,
          body: { subject: `0x${'1'.repeat(40)}`, policy: 'kyc-basic' },
        })
      ).status,
      403,
    );
  });

  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = () => Math.floor(Date.now() / 1000);
  const rejected: [string, () => Promise<string>][] = [
    ['an expired token', () => token({ exp: now() - 120, iat: now() - 600 })],
    ['another audience', () => token({ aud: 'someone-else' })],
    ['another issuer', () => token({ iss: 'https://evil.example' })],
    ['a token issued too long ago', () => token({ iat: now() - 7200, exp: now() + 600 })],
    [
      'alg none',
      async () =>
        `${b64({ alg: 'none' })}.${b64({ sub: 'x', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 })}.`,
    ],
    [
      'HS256 signed with the public key',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
          .setSubject('x')
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(new TextEncoder().encode(publicPem)),
    ],
    ['a token signed by another key', async () => token({}, (await generateKeyPair('RS256')).privateKey)],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await token()).split('.');
        return `${header}.${b64({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600 })}.${signature}`;
      },
    ],
  ];
  for (const [name, make] of rejected) {
    it(`401 for ${name}`, async () => {
      const response = await read(await make());
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 'UNAUTHENTICATED');
    });
  }
});

describe('regulator JWTs with a configured public key (no JWKS)', () => {
  it('verifies with the PEM key and refuses another key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const verifier = await RegulatorTokenVerifier.create({
      publicKeyPem: await exportSPKI(publicKey),
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      maxTokenAgeSeconds: 3600,
      rateLimitPerMinute: 60,
    });
    const sign = (key: CryptoKey, claims: Record<string, unknown> = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256' })
        .setSubject('auditor')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    assert.deepEqual(await verifier.verify(await sign(privateKey)), {
      keyId: `jwt:${ISSUER}:auditor`,
      tenantId: null,
      role: 'regulator',
      rateLimitPerMinute: 60,
      readScope: 'all-tenants',
    });
    assert.equal(await verifier.verify(await sign((await generateKeyPair('ES256')).privateKey)), null);
    // The custos_tenants claim narrows what the regulator may read; a malformed one leaves nothing in scope.
    const tenant = '6f1c1a55-6a3e-4b0e-9a53-0c8f1f5e2d11';
    assert.deepEqual(
      (await verifier.verify(await sign(privateKey, { custos_tenants: [tenant] })))?.readScope,
      [tenant],
    );
    assert.deepEqual(
      (await verifier.verify(await sign(privateKey, { custos_tenants: 'all' })))?.readScope,
      [],
    );
  });
});

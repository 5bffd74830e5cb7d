import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TenantsAndKeys } from '../../src/admin/index.js';
import { ApiKeyVerifier, createApiKey, ensureTenant } from '../../src/auth/index.js';
import { applyMigrations, closeDatabase, createDatabase, type Database } from '../../src/db/index.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';

describe('API keys: expiry and revocation against the verifier cache', () => {
  let postgres: TestPostgres;
  let db: Database;
  let tenantId: string;

  before(async () => {
    postgres = await startTestPostgres();
    await applyMigrations(postgres.url);
    db = createDatabase(postgres.url, 2);
    tenantId = await ensureTenant(db, 'keys');
  });
  after(async () => {
    if (db) await closeDatabase(db);
    await postgres?.stop();
  });

  it('an expired key is refused; one expiring soon works until its expiry, however recently it was cached', async () => {
    const verifier = new ApiKeyVerifier(db);
    const expired = await createApiKey(db, {
      tenantId,
      role: 'dapp',
      label: 'expired',
      expiresAt: new Date(Date.now() - 1_000),
    });
    assert.equal(await verifier.verify(expired.key), null);
    const soon = await createApiKey(db, {
      tenantId,
      role: 'dapp',
      label: 'expiring',
      expiresAt: new Date(Date.now() + 800),
    });
    assert.equal((await verifier.verify(soon.key))?.keyId, soon.id);
    assert.equal((await verifier.verify(soon.key))?.keyId, soon.id, 'cached');
    await new Promise((resolve) => setTimeout(resolve, 900));
    assert.equal(await verifier.verify(soon.key), null, 'the cache never outlives the expiry');
  });

  it('a revoked key keeps working from the cache until it is forgotten (what a notification does)', async () => {
    const verifier = new ApiKeyVerifier(db);
    const { id, key } = await createApiKey(db, { tenantId, role: 'officer', label: 'revoked' });
    assert.equal((await verifier.verify(key))?.keyId, id);
    await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    assert.equal((await verifier.verify(key))?.keyId, id, 'the documented cache window');
    verifier.forget(id);
    assert.equal(await verifier.verify(key), null);

    const other = await createApiKey(db, { tenantId, role: 'officer', label: 'other' });
    assert.ok(await verifier.verify(other.key));
    await db.apiKey.update({ where: { id: other.id }, data: { revokedAt: new Date() } });
    verifier.forgetAll();
    assert.equal(await verifier.verify(other.key), null);
  });

  it('a key revoked or rotated through this process is refused by its verifier at once, with no notification', async () => {
    const verifier = new ApiKeyVerifier(db);
    const admin = new TenantsAndKeys(db, (ids) => verifier.forget(...ids));
    const { id, key } = await createApiKey(db, { tenantId, role: 'officer', label: 'leaving' });
    assert.equal((await verifier.verify(key))?.keyId, id, 'cached');
    await admin.revokeKey(id, 'test');
    assert.equal(await verifier.verify(key), null);

    const rotated = await createApiKey(db, { tenantId, role: 'dapp', label: 'rotated' });
    assert.ok(await verifier.verify(rotated.key));
    await admin.rotateKey(rotated.id, 0, 'test');
    assert.equal(await verifier.verify(rotated.key), null, 'no overlap: the old secret ends now');
  });

  it('a lookup in flight when its key is forgotten answers what it read but does not cache it', async () => {
    const verifier = new ApiKeyVerifier(db);
    const { id, key } = await createApiKey(db, { tenantId, role: 'officer', label: 'in flight' });
    const inFlight = verifier.verify(key);
    verifier.forget(id);
    assert.equal((await inFlight)?.keyId, id);
    // Revoked with no notification after it: only a lookup that was never cached can see it.
    await db.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
    assert.equal(await verifier.verify(key), null, 'the next lookup reads the database again');
  });
});

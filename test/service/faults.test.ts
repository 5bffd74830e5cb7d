import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet } from 'ethers';
import { pino } from 'pino';
import { createApiKey, ensureTenant } from '../../src/auth/index.js';
import {
  ANVIL_DEFAULT_PRIVATE_KEY,
  deployCustos,
  freePort,
  loadArtifact,
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
import { createIdentity } from '@custos/sdk/holder';
import { startFakeKms, type FakeKms } from '../helpers/fakeKms.js';

/**
 * The production configuration (DATABASE_URL, RPC_URL, contract addresses, SIGNER=aws-kms) against dependencies
 * this test can take down and bring back: each outage is a 503 with its code, nothing is issued, and the service
 * recovers by itself.
 */
describe('faults: database, signer and chain outages', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'custos-faults-'));
  let pgPort: number;
  let anvilPort: number;
  let postgres: EmbeddedPostgresHandle;
  let anvil: AnvilHandle;
  let kms: FakeKms;
  let deployment: Deployment;
  let operatorKeyId: string;
  let productionEnv: Record<string, string>;
  let service: RunningService;
  let db: Database;
  let dapp: string;
  let officer: string;

  const startPostgres = () => startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: pgPort });
  const startChain = () => startAnvil({ port: anvilPort, stateFile: path.join(dir, 'anvil.json') });
  const request = async (method: string, route: string, key?: string, body?: unknown) => {
    const response = await fetch(`${service.url}${route}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const attest = (subject: string) => request('POST', '/v1/attest', dapp, { subject, policy: 'kyc-basic' });
  const compliantSubject = async () => {
    const subject = Wallet.createRandom().address;
    const body = {
      status: 'approved',
      country: 'FR',
      birthDate: '1980-06-01',
      riskScore: 1,
      provider: 'test',
    };
    assert.equal((await request('PUT', `/v1/kyc/${subject}`, officer, body)).status, 200);
    return subject;
  };

  const eventually = async (condition: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) {
      if (await condition()) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('condition not met within 60 s');
  };

  before(async () => {
    chmodSync(dir, 0o755);
    [pgPort, anvilPort] = [await freePort(), await freePort()];
    postgres = await startPostgres();
    anvil = await startChain();
    kms = await startFakeKms();
    const provider = new JsonRpcProvider(anvil.rpcUrl, undefined, { cacheTimeout: -1 });
    // The operator (revocations, rotations) is a KMS key too: funded, and given only the roles it needs.
    const operator = kms.createKey();
    operatorKeyId = operator.keyId;
    const deployer = new Wallet(ANVIL_DEFAULT_PRIVATE_KEY, provider);
    deployment = await deployCustos({
      deployer,
      policies: [{ name: 'kyc-basic', maxLifetimeSeconds: 7 * 86_400 }],
      roles: { publisher: operator.address, signerManager: operator.address, anchorer: operator.address },
    });
    await (await deployer.sendTransaction({ to: operator.address, value: 10n ** 18n })).wait();
    provider.destroy();
    process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    productionEnv = {
      PORT: '0',
      CUSTOS_DATA_DIR: path.join(dir, 'data'),
      DATABASE_URL: postgres.url,
      RPC_URL: anvil.rpcUrl,
      GATEKEEPER_ADDRESS: deployment.contracts.ComplianceGatekeeper,
      REVOCATION_REGISTRY_ADDRESS: deployment.contracts.RevocationRegistry,
      OPERATOR_KMS_KEY_ID: operatorKeyId,
      SIGNER: 'aws-kms',
      KMS_KEY_ID: kms.createKey().keyId,
      AWS_REGION: 'eu-central-1',
      KMS_ENDPOINT: kms.endpoint,
      AUDIT_ANCHOR_ADDRESS: deployment.contracts.AuditAnchor!,
      AUDIT_ANCHOR_INTERVAL_SECONDS: '1',
      AUDIT_ANCHOR_MIN_BATCH: '1',
      AUDIT_ANCHOR_MAX_BATCH: '3',
      CHAIN_INDEX_INTERVAL_SECONDS: '1',
      // An anchoring transaction sent just as the chain stops is lost with it: give up on it quickly.
      CHAIN_RECEIPT_TIMEOUT_SECONDS: '3',
      // /readyz asks KMS on every probe here: the signer outage must show at once.
      READYZ_SIGNER_CACHE_SECONDS: '0',
    };
    service = await startService(loadEnv(productionEnv), pino({ level: 'silent' }));
    db = createDatabase(postgres.url, 2);
    const tenantId = await ensureTenant(db, 'faults');
    dapp = (await createApiKey(db, { tenantId, role: 'dapp', label: 'dapp' })).key;
    officer = (await createApiKey(db, { tenantId, role: 'officer', label: 'officer' })).key;
  });

  after(async () => {
    if (db) await closeDatabase(db);
    await service?.stop();
    await kms?.stop();
    await anvil?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues with the KMS key on the configured chain and contracts', async () => {
    const response = await attest(await compliantSubject());
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.domain.verifyingContract, deployment.contracts.ComplianceGatekeeper);
    assert.equal((await request('GET', '/v1/signers')).body.signers[0].backend, 'aws-kms');
  });

  it('signer throttled: 503 SIGNER_UNAVAILABLE, nothing issued; then it recovers', async () => {
    const subject = await compliantSubject();
    kms.throttle = true;
    let response;
    try {
      response = await attest(subject);
    } finally {
      kms.throttle = false;
    }
    assert.equal(response.status, 503);
    assert.equal(response.body.error.code, 'SIGNER_UNAVAILABLE');
    kms.throttle = true;
    const ready = await request('GET', '/readyz');
    kms.throttle = false;
    assert.equal(ready.status, 503);
    assert.equal(ready.body.error.details.signer.state, 'unreachable');
    assert.equal(await db.attestation.count({ where: { subject } }), 0);
    assert.equal((await attest(subject)).status, 200);
  });

  it('database down: 503 DATABASE_UNAVAILABLE and not ready; back up: it recovers by itself', async () => {
    const subject = await compliantSubject();
    await postgres.stop();
    try {
      const response = await attest(subject);
      assert.equal(response.status, 503, JSON.stringify(response.body));
      assert.equal(response.body.error.code, 'DATABASE_UNAVAILABLE');
      const ready = await request('GET', '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.body.error.details.database, 'unreachable');
    } finally {
      postgres = await startPostgres();
    }
    const recovered = await attest(subject);
    assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
    assert.equal(await db.attestation.count({ where: { subject } }), 1);
  });

  it('chain down: revocation is 503 CHAIN_UNAVAILABLE but recorded; once the chain is back, running it again finishes it', async () => {
    const { body } = await attest(await compliantSubject());
    await anvil.stop();
    try {
      const response = await request('POST', '/v1/revocations', officer, {
        target: body.uid,
        reason: 'chain outage drill',
      });
      assert.equal(response.status, 503);
      assert.equal(response.body.error.code, 'CHAIN_UNAVAILABLE');
      const status = await request('GET', `/v1/attestations/${body.uid}`, dapp);
      assert.equal(status.body.status, 'revoked');
      assert.equal(status.body.revocation.onChainPending, true);
    } finally {
      anvil = await startChain();
    }
    const retried = await request('POST', '/v1/revocations', officer, {
      target: body.uid,
      reason: 'chain outage drill',
    });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    const provider = new JsonRpcProvider(anvil.rpcUrl);
    const registry = new Contract(
      deployment.contracts.RevocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      provider,
    );
    assert.equal(await registry.getFunction('isRevoked')(body.uid), true);

    // Anchoring and indexing failed during the outage and pick up where they stopped: every event is anchored
    // in contiguous batches, none twice, and the revocation is indexed once.
    const anchor = new Contract(deployment.contracts.AuditAnchor!, loadArtifact('AuditAnchor').abi, provider);
    const head = (await db.auditEvent.findFirst({ orderBy: { seq: 'desc' } }))!.seq;
    await eventually(async () => BigInt(await anchor.getFunction('nextSeq')()) > head);
    await eventually(
      async () =>
        (await db.chainEvent.count({ where: { attestationUid: body.uid, event: 'AttestationRevoked' } })) ===
        1,
    );
    const batches = Number(await anchor.getFunction('batchCount')());
    await eventually(async () => (await db.auditBatch.count()) === batches);
    const verified = await request('GET', '/v1/audit/verify', officer);
    assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
    assert.equal(verified.body.anchors.batches, batches);
    provider.destroy();
  });

  it('chain down: credential revocation and issuance are 503 but recorded; back up, they finish on-chain', async () => {
    const { commitment } = createIdentity();
    const credential = async () =>
      request('POST', '/v1/credentials', dapp, {
        subject: await compliantSubject(),
        policy: 'kyc-basic',
        identityCommitment: commitment.toString(),
      });
    const revoke = (target: string) =>
      request('POST', '/v1/revocations', officer, { target, reason: 'chain outage drill' });
    const issued = await credential();
    assert.equal(issued.status, 200, JSON.stringify(issued.body));

    await anvil.stop();
    let pending: { credentialId: number };
    try {
      const revoked = await revoke(issued.body.uid);
      assert.equal(revoked.status, 503);
      assert.equal(revoked.body.error.code, 'CHAIN_UNAVAILABLE');
      const status = await request('GET', `/v1/attestations/${issued.body.uid}`, dapp);
      assert.equal(status.body.status, 'revoked');
      assert.equal(status.body.revocation.onChainPending, true);

      const unpublished = await credential();
      assert.equal(unpublished.status, 503);
      assert.equal(unpublished.body.error.code, 'CHAIN_UNAVAILABLE');
      const row = (await db.zkCredential.findFirst({ orderBy: { id: 'desc' } }))!;
      assert.notEqual(row.uid, issued.body.uid, 'the credential was recorded, its root not yet on-chain');
      pending = { credentialId: row.id };
    } finally {
      anvil = await startChain();
    }

    const retried = await revoke(issued.body.uid);
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.deepEqual(retried.body.revocationRoot.credentialIds, [issued.body.credentialId]);
    const provider = new JsonRpcProvider(anvil.rpcUrl);
    const registry = new Contract(
      deployment.contracts.RevocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      provider,
    );
    const [root] = await registry.getFunction('currentRoot')();
    assert.equal(root, retried.body.revocationRoot.root);

    // The path endpoint publishes the root the outage left unsubmitted (signed once, by the KMS key, then sent).
    const issuancePath = await request('GET', `/v1/credentials/${pending.credentialId}/issuance-path`);
    assert.equal(issuancePath.status, 200, JSON.stringify(issuancePath.body));
    const gatekeeper = new Contract(
      deployment.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      provider,
    );
    assert.equal(await gatekeeper.getFunction('isRecentIssuanceRoot')(issuancePath.body.root), true);
    provider.destroy();
  });

  it('rotates to a new KMS key: issuance switches at once, both keys trusted during the overlap', async () => {
    const next = kms.createKey();
    const rotated = await request('POST', '/v1/keys/rotate', officer, {
      kmsKeyId: next.keyId,
      overlapSeconds: 600,
    });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    assert.equal(rotated.body.current, next.address);
    const response = await attest(await compliantSubject());
    assert.equal(response.body.signer, next.address);
    const withoutKey = await request('POST', '/v1/keys/rotate', officer, { overlapSeconds: 600 });
    assert.equal(withoutKey.status, 400);
    assert.match(withoutKey.body.error.message, /needs kmsKeyId/);
    // Rotating to the key in use would cut its own trust window: refused before anything is sent.
    const toItself = await request('POST', '/v1/keys/rotate', officer, {
      kmsKeyId: next.keyId,
      overlapSeconds: 60,
    });
    assert.equal(toItself.status, 400, JSON.stringify(toItself.body));
    assert.match(toItself.body.error.message, /already known to Custos \(active\)/);
    const active = (await request('GET', '/v1/keys', officer)).body.keys.find(
      (k: { address: string }) => k.address === next.address,
    );
    assert.equal(active.onChain.validUntil, (2n ** 64n - 1n).toString(), 'still trusted without end');
  });

  it('refuses to start when CHAIN_ID disagrees with the node', async () => {
    await assert.rejects(
      startService(loadEnv({ ...productionEnv, CHAIN_ID: '1', PORT: '0' }), pino({ level: 'silent' })),
      /^ConfigError: invalid configuration: CHAIN_ID is 1 but the node at RPC_URL serves chain 31337$/,
    );
  });
});

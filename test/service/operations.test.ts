import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import pg from 'pg';
import { loadArtifact } from '../../src/chain/index.js';
import { approveWithCli, custos } from '../helpers/cli.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { ANVIL_SECOND_PRIVATE_KEY } from '../helpers/fixtures.js';

describe('officer operations through the custos CLI', () => {
  let t: TestService;
  let dapp: string;
  let cliEnv: Record<string, string>;
  let provider: JsonRpcProvider;
  let gatekeeper: Contract;
  let registry: Contract;

  before(async () => {
    t = await startTestService();
    dapp = await t.key('dapp');
    cliEnv = {
      CUSTOS_URL: t.service.url,
      CUSTOS_OFFICER_KEY: await t.key('officer'),
      CUSTOS_DATA_DIR: t.dataDir,
    };
    provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    // anvil's second account: the first is the service's operator, and a relayer is anyone else.
    const relayer = new NonceManager(new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider));
    gatekeeper = new Contract(
      t.service.chain.contracts.ComplianceGatekeeper,
      loadArtifact('ComplianceGatekeeper').abi,
      relayer,
    );
    registry = new Contract(
      t.service.chain.contracts.RevocationRegistry,
      loadArtifact('RevocationRegistry').abi,
      relayer,
    );
  });
  after(async () => {
    provider?.destroy();
    await t?.stop();
  });

  /** KYC through the CLI and an attestation through the API, not submitted. */
  async function attest(subject: string) {
    await approveWithCli(subject, cliEnv);
    const { body } = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic' },
    });
    return body;
  }

  /** KYC through the CLI, an attestation through the API, submitted on-chain by a relayer. */
  async function attestOnChain(subject = Wallet.createRandom().address) {
    const body = await attest(subject);
    await (await gatekeeper.getFunction('submitAttestation')(body.message, body.signature)).wait();
    return {
      subject,
      uid: body.uid as string,
      policyId: body.message.policyId as string,
      issuedAt: body.issuedAt as number,
    };
  }

  it('revoke <uid>: marked in the database, revoked on-chain, audited; the subject stops being compliant', async () => {
    const { subject, uid, policyId } = await attestOnChain();
    assert.equal(await gatekeeper.getFunction('isCompliant')(subject, policyId), true);

    const result = await custos(['revoke', uid, '--reason', 'sanctions hit on 2026-11-22', '--json'], cliEnv);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout);
    assert.deepEqual(output.revoked, [uid]);
    assert.match(output.txHash, /^0x[0-9a-f]{64}$/);

    assert.equal(await registry.getFunction('isRevoked')(uid), true);
    assert.equal(await gatekeeper.getFunction('isCompliant')(subject, policyId), false);
    const status = await t.request('GET', `/v1/attestations/${uid}`, { key: dapp });
    assert.equal(status.body.status, 'revoked');
    assert.equal(status.body.revocation.onChainTx, output.txHash);
    assert.deepEqual(
      status.body.audit.map((e: { type: string }) => e.type),
      ['attestation.issued', 'attestation.revoked', 'attestation.revocation_confirmed'],
    );
    // The confirmation belongs to the subject's history too (found by subject, with the attestation's tenant).
    const confirmed = await t.db.auditEvent.findFirst({
      where: { attestationUid: uid, type: 'attestation.revocation_confirmed' },
    });
    assert.equal(confirmed?.subject, subject);
    assert.ok(confirmed?.tenantId);
  });

  it('revoking again fails with one clear line and a non-zero exit', async () => {
    const { uid } = await attestOnChain();
    assert.equal((await custos(['revoke', uid, '--reason', 'first time'], cliEnv)).code, 0);
    const again = await custos(['revoke', uid, '--reason', 'second time'], cliEnv);
    assert.equal(again.code, 1);
    assert.equal(again.stderr.trim(), `custos: ALREADY_REVOKED: ${uid} is already revoked`);
  });

  it('an older unused attestation never replaces the newer one on-chain, before or after the newer is revoked', async () => {
    const subject = Wallet.createRandom().address;
    const older = await attest(subject);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // issuedAt counts whole seconds
    const { uid: newer, policyId, issuedAt: newerIssuedAt } = await attestOnChain(subject);
    const expiry = await gatekeeper.getFunction('complianceExpiry')(subject, policyId);
    // What a relayer sees: estimating the transaction fails with the error's data (ethers leaves decoding it to the
    // caller). Only estimated: a NonceManager that sent it would count a nonce no transaction uses.
    const superseded = (error: { data?: string }) => {
      const decoded = gatekeeper.interface.parseError(error.data ?? '0x');
      assert.equal(decoded?.name, 'AttestationSuperseded');
      assert.deepEqual([...decoded.args], [older.uid, BigInt(older.issuedAt), BigInt(newerIssuedAt)]);
      return true;
    };
    const submitOlder = () =>
      gatekeeper.getFunction('submitAttestation').estimateGas(older.message, older.signature);

    await assert.rejects(submitOlder(), superseded);
    assert.equal(await gatekeeper.getFunction('complianceExpiry')(subject, policyId), expiry);
    const result = await custos(['revoke', newer, '--reason', 'identity fraud'], cliEnv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await gatekeeper.getFunction('isCompliant')(subject, policyId), false);
    await assert.rejects(submitOlder(), superseded);
    assert.equal(await gatekeeper.getFunction('isCompliant')(subject, policyId), false);
  });

  it('revoke <address> revokes every attestation of the subject in one transaction', async () => {
    const { subject, uid: first } = await attestOnChain();
    const { uid: second } = await attestOnChain(subject);
    const result = await custos(['revoke', subject, '--reason', 'account closed', '--json'], cliEnv);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(new Set(JSON.parse(result.stdout).revoked), new Set([first, second]));
    assert.equal(await registry.getFunction('isRevoked')(first), true);
    assert.equal(await registry.getFunction('isRevoked')(second), true);
    const list = await custos(['attestations', 'list', '--subject', subject], cliEnv);
    assert.match(list.stdout, /^UID +POLICY +FORMAT +STATUS/m);
    assert.equal(list.stdout.match(/ eip712 /g)?.length, 2);
    assert.equal(list.stdout.match(/revoked/g)?.length, 2);
  });

  it('sanctions load reads an OFAC SDN.CSV and reports the version it loaded', async () => {
    const loaded = await custos(
      ['sanctions', 'load', 'test/fixtures/ofac/sdn.csv', '--name', 'ofac-sdn'],
      cliEnv,
    );
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.match(
      loaded.stdout,
      /^NAME +FORMAT +CONTENTHASH +ENTRYCOUNT +CREATED\nofac-sdn +ofac-sdn-csv +[0-9a-f]{64} +3 +true/,
    );
    const missing = await custos(['sanctions', 'load', 'test/fixtures/nope.csv'], cliEnv);
    assert.equal(missing.stderr, 'custos: cannot read test/fixtures/nope.csv: no such file\n');
  });

  it('bad input to the CLI is one line and a non-zero exit', async () => {
    const unknown = await custos(['revoke', `0x${'12'.repeat(32)}`, '--reason', 'nothing there'], cliEnv);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^custos: NOT_FOUND: attestation or credential 0x1212.* not found\n$/);
    const badCountry = await custos(
      ['kyc', 'set', Wallet.createRandom().address, '--status', 'approved', '--country', 'XX'],
      cliEnv,
    );
    assert.equal(badCountry.code, 1);
    assert.equal(
      badCountry.stderr,
      'custos: VALIDATION_FAILED: country: must be an ISO 3166-1 alpha-2 country code such as DE\n',
    );
    const noServer = await custos(['keys', 'list'], { ...cliEnv, CUSTOS_URL: 'http://127.0.0.1:9' });
    assert.equal(noServer.code, 1);
    assert.match(noServer.stderr, /^custos: cannot reach Custos at http:\/\/127\.0\.0\.1:9/);
  });

  it('keys rotate: the new key signs at once, the old one stays trusted only for the overlap', async () => {
    const before = JSON.parse((await custos(['keys', 'list', '--json'], cliEnv)).stdout).keys;
    const rotated = await custos(['keys', 'rotate', '--overlap', '1h', '--json'], cliEnv);
    assert.equal(rotated.code, 0, rotated.stderr);
    const { previous, current } = JSON.parse(rotated.stdout);
    const rotations = await t.db.auditEvent.findMany({ where: { type: 'key.rotated' } });
    assert.equal(rotations.length, 1);
    assert.deepEqual((rotations[0]!.payload as { current: string }).current, current);
    assert.equal(previous, before.find((k: { status: string }) => k.status === 'active').address);

    const now = (await provider.getBlock('latest'))!.timestamp;
    const oldWindow = await gatekeeper.getFunction('signerWindow')(previous);
    assert.ok(
      Number(oldWindow.validUntil) >= now + 3500 && Number(oldWindow.validUntil) <= now + 3700,
      'overlap of about an hour',
    );
    assert.equal(await gatekeeper.getFunction('isTrustedSigner')(current, now), true);

    const { subject, policyId } = await attestOnChain();
    const latest = (await t.request('GET', `/v1/attestations?subject=${subject}`, { key: dapp })).body
      .attestations[0];
    assert.equal(latest.signer, current);
    assert.equal(await gatekeeper.getFunction('isCompliant')(subject, policyId), true);
    const signers = (await t.request('GET', '/v1/signers')).body.signers;
    assert.deepEqual(signers.map((s: { status: string }) => s.status).sort(), ['active', 'retiring']);
  });

  it('audit verify passes, then names the first row altered behind the database', async () => {
    const ok = await custos(['audit', 'verify'], cliEnv);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^OK +CHECKED +LASTSEQ +ANCHOREDBATCHES +COVERAGE\ntrue/);

    const client = new pg.Client({ connectionString: t.postgres.url });
    await client.connect();
    try {
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await client.query(`UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3`);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
    } finally {
      await client.end();
    }
    const broken = await custos(['audit', 'verify'], cliEnv);
    assert.equal(broken.code, 1);
    assert.equal(
      broken.stderr,
      'custos: audit chain broken at event 3: event 3 was altered: its content no longer matches its hash\n',
    );
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Contract, JsonRpcProvider, Wallet, id } from 'ethers';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadArtifact, policyIdOf } from '../../src/chain/index.js';
import { eventually } from '../helpers/eventually.js';
import { ANVIL_SECOND_PRIVATE_KEY, approveSubject } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { CHROMIUM, hasChromium, requireSystemPackage } from '../helpers/systemPackage.js';

const SCREENSHOTS = path.resolve('test-results', 'explorer');
const VIEWPORT = { width: 1280, height: 900 };
/** A revocation reason that would run script if the page ever wrote event data as HTML. */
const HOSTILE_REASON = '<img src=x onerror="window.__pwned=1">sanctions hit';

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', 'a PNG file');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function saveScreenshot(name: string, png: Buffer): Buffer {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(path.join(SCREENSHOTS, name), png);
  return png;
}

/** The audit explorer in a real headless Chromium (Debian's), against the real service and chain. */
describe('audit explorer page', () => {
  let t: TestService;
  let browser: Browser | undefined;
  let page: Page;
  let regulator: string;
  let dapp: string;
  const subjectWallet = Wallet.createRandom();
  const subject = subjectWallet.address;
  let uid: string;

  before(async () => {
    if (!hasChromium()) return;
    t = await startTestService({
      CHAIN_INDEX_INTERVAL_SECONDS: '1',
      AUDIT_ANCHOR_INTERVAL_SECONDS: '1',
      AUDIT_ANCHOR_MIN_BATCH: '1',
      AUDIT_ANCHOR_MAX_AGE_SECONDS: '0',
    });
    [regulator, dapp] = await Promise.all([t.key('regulator'), t.key('dapp')]);
    const officer = await t.key('officer');
    // A subject's whole story: KYC, issuance, on-chain use, revocation on both sides.
    await approveSubject(t.db, subject);
    const issued = await t.request('POST', '/v1/attest', {
      key: dapp,
      body: { subject, policy: 'kyc-basic' },
    });
    uid = issued.body.uid;
    const provider = new JsonRpcProvider(t.service.chain.rpcUrl, undefined, { cacheTimeout: -1 });
    try {
      const relayer = new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider);
      const gatekeeper = new Contract(
        t.service.chain.contracts.ComplianceGatekeeper,
        loadArtifact('ComplianceGatekeeper').abi,
        relayer,
      );
      await (
        await gatekeeper.getFunction('submitAttestation')(issued.body.message, issued.body.signature)
      ).wait();
      await runAgentFor(relayer);
      const revoked = await t.request('POST', '/v1/revocations', {
        key: officer,
        body: { target: uid, reasonCode: 'SANCTIONS_HIT', reason: HOSTILE_REASON },
      });
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      const head = await provider.getBlockNumber();
      for (let i = 0; i < 150; i++) {
        const { body } = await t.request('GET', '/v1/audit/status', { key: regulator });
        if (body.indexer.indexedThroughBlock >= head && body.anchoring.pending === '0') break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      provider.destroy();
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
      ],
    });
    page = await (await browser.newContext({ viewport: VIEWPORT, acceptDownloads: true })).newPage();
  });
  /** The subject has an agent executed: one configured for the test tenant, called while it is compliant. */
  async function runAgentFor(relayer: Wallet) {
    const registry = new Contract(
      t.service.chain.contracts.AgentRegistry!,
      loadArtifact('AgentRegistry').abi,
      relayer,
    );
    await (await registry.getFunction('registerAgent')(id('explorer agent'), policyIdOf('kyc-basic'))).wait();
    const agentId = String(await registry.getFunction('agentCount')());
    const admin = await t.key('admin');
    const configured = await t.request('PUT', `/v1/agents/${agentId}`, {
      key: admin,
      body: { tenant: 'test-tenant' },
    });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
    const caller = subjectWallet.connect(relayer.provider);
    await (await relayer.sendTransaction({ to: subject, value: 10n ** 17n })).wait();
    await (await (registry.connect(caller) as Contract).getFunction('execute')(agentId, id('a task'))).wait();
    await eventually('the execution is decided', async () => {
      const { body } = await t.request('GET', `/v1/agents/executions?caller=${subject}`, { key: admin });
      return body.executions.length === 1;
    });
  }

  after(async () => {
    await browser?.close();
    await t?.stop();
  });

  const signIn = async (key: string) => {
    await page.goto(`${t.service.url}/explorer`);
    await page.fill('#key', key);
    await page.click('#sign-in button[type=submit]');
  };

  it('refuses a key that cannot read the audit log, with a clear message', async (ctx) => {
    if (!requireSystemPackage(ctx, 'chromium', hasChromium())) return;
    await signIn(dapp);
    await page.waitForSelector('#sign-in-error:has-text("This key cannot read the audit log.")');
    assert.equal(await page.isHidden('#explorer'), true);
    await signIn('cst_000000000000_not-a-real-key-not-a-real-key-not-a-real-key1');
    await page.waitForSelector('#sign-in-error:has-text("Sign-in failed")');
  });

  it("signs in, shows the status, and tells an address's whole story on one timeline", async (ctx) => {
    if (!requireSystemPackage(ctx, 'chromium', hasChromium())) return;
    await signIn(regulator);
    await page.waitForSelector('#explorer:not([hidden])');
    assert.equal(await page.isHidden('#sign-in'), true, 'the sign-in form goes away');
    await page.waitForFunction(() => document.getElementById('status-indexed')?.textContent !== '–');
    const before = saveScreenshot('signed-in.png', await page.screenshot());

    await page.fill('#query', subject);
    await page.click('#search button[type=submit]');
    await page.waitForSelector('#timeline li');
    const types = await page.$$eval('#timeline li', (items) =>
      items.map((i) => (i as HTMLElement).dataset.type),
    );
    for (const expected of [
      'kyc.updated',
      'attestation.issued',
      'ComplianceGatekeeper.AttestationSubmitted',
      'attestation.revoked',
      'RevocationRegistry.AttestationRevoked',
      'attestation.revocation_confirmed',
      'AgentRegistry.ExecutionRequested',
      'agent_execution.authorised',
      'agent.execution',
    ]) {
      assert.ok(types.includes(expected), `${expected} on the timeline: ${types.join(', ')}`);
    }
    assert.equal(types[0], 'kyc.updated');
    assert.ok(
      types.indexOf('attestation.issued') < types.indexOf('ComplianceGatekeeper.AttestationSubmitted'),
    );
    assert.match((await page.textContent('#timeline li[data-type="kyc.updated"] .badge')) ?? '', /anchored/);
    assert.equal(await page.textContent('#timeline li[data-type="agent.execution"] .badge'), 'queued');

    // The officer's reason code is shown with the revocation, for reports.
    assert.match(
      (await page.textContent('#timeline li[data-type="attestation.revoked"]')) ?? '',
      /reason code\s*SANCTIONS_HIT/,
    );

    // Hostile text in an event is shown as text, never run.
    assert.ok((await page.textContent('#timeline'))!.includes(HOSTILE_REASON));
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);

    await page.click('#verify');
    await page.waitForSelector('#status-verified.ok');
    assert.match(
      (await page.textContent('#status-verified'))!,
      /^verified: \d+ events, \d+ anchored batches/,
    );

    const timeline = saveScreenshot('timeline.png', await page.screenshot({ fullPage: true }));
    const size = pngSize(timeline);
    assert.equal(size.width, VIEWPORT.width);
    assert.ok(size.height >= VIEWPORT.height, 'the full page is at least one screen tall');
    assert.notDeepEqual(timeline, before, 'the timeline changed what is on screen');
    const tile = saveScreenshot('verification.png', await page.locator('#status').screenshot());
    assert.ok(pngSize(tile).width > 0);
  });

  it('searches by attestation uid and exports what it shows as CSV', async (ctx) => {
    if (!requireSystemPackage(ctx, 'chromium', hasChromium())) return;
    await page.fill('#query', uid);
    await page.click('#search button[type=submit]');
    await page.waitForSelector(`#timeline-title:has-text("${uid}")`);
    const types = await page.$$eval('#timeline li', (items) =>
      items.map((i) => (i as HTMLElement).dataset.type),
    );
    assert.ok(!types.includes('kyc.updated'), 'the uid view holds only that attestation');
    assert.ok(types.includes('RevocationRegistry.AttestationRevoked'));

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    assert.equal(
      csv[0],
      'seq,type,actor,tenantId,subject,attestationUid,createdAt,payload,hashVersion,prevHash,hash',
    );
    // The export holds the audit events the view shows; on-chain events are named Contract.Event.
    assert.equal(csv.length - 1, types.filter((type) => !/^[A-Z]\w*\.[A-Z]/.test(type!)).length);

    // Every search and export above was itself audited; the log still verifies after them.
    await page.click('#verify');
    await page.waitForSelector('#status-verified.ok');
  });
});

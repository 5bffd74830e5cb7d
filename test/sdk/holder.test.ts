import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import * as snarkjs from 'snarkjs';
import { createIdentity, proveCredential, restoreIdentity, type ContractProof } from '@custos/sdk/holder';
import { SNARK_FIELD, artifactPath, expectedPublicSignals, identityCommitment } from '../../src/zk/index.js';
import { CHROMIUM, hasChromium, requireSystemPackage } from '../helpers/systemPackage.js';
import { credentialScenario } from '../zk/fixtures.js';

const run = promisify(execFile);
const vkey = () => JSON.parse(readFileSync(artifactPath('verificationKey'), 'utf8'));

/** Checks a contract-shaped proof with snarkjs against the public signals the contract would assemble. */
function verifies(proof: ContractProof, publicSignals: bigint[]): Promise<boolean> {
  return snarkjs.groth16.verify(vkey(), publicSignals.map(String), {
    pi_a: [...proof.a, '1'],
    pi_b: [
      [proof.b[0][1], proof.b[0][0]],
      [proof.b[1][1], proof.b[1][0]],
      ['1', '0'],
    ],
    pi_c: [...proof.c, '1'],
    protocol: 'groth16',
    curve: 'bn128',
  });
}

describe('holder SDK', () => {
  after(async () => {
    await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
  });

  it('makes identities whose secret is a 248-bit field element, and commits to them', () => {
    const a = createIdentity();
    const b = createIdentity();
    assert.notEqual(a.secret, b.secret);
    assert.ok(a.secret < 2n ** 248n && a.secret < SNARK_FIELD);
    assert.equal(a.commitment, identityCommitment(a.secret));
    assert.deepEqual(restoreIdentity(a.secret), a);
  });

  it('proves a credential in Node, ready for the contract call', async () => {
    const { secret, request } = await credentialScenario();
    const proof = await proveCredential(restoreIdentity(secret), request, {
      wasm: artifactPath('wasm'),
      zkey: artifactPath('zkey'),
    });
    const expected = expectedPublicSignals(secret, request);
    assert.equal(proof.nullifier, expected[0]!.toString());
    assert.equal(await verifies(proof, expected), true);
    const otherRecipient = [...expected.slice(0, 7), expected[7]! + 1n];
    assert.equal(await verifies(proof, otherRecipient), false);
  });

  it('proves in Node from artifact URLs (as custos.artifacts() gives them), two at once, and the process then exits by itself', async () => {
    const server = createServer((req, res) => {
      const name =
        req.url === '/zk/credential.wasm' ? 'wasm' : req.url === '/zk/credential.zkey' ? 'zkey' : null;
      if (!name) return void res.writeHead(404).end();
      res.end(readFileSync(artifactPath(name)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // A script that proves once and does nothing to end itself: it must not hang on snarkjs's worker threads.
      // It lives under test-results/ (ignored by git) so that it resolves @custos/sdk as a dApp's script would.
      mkdirSync('test-results', { recursive: true });
      const dir = mkdtempSync(path.join('test-results', 'holder-node-'));
      const script = path.join(dir, 'prove.mts');
      writeFileSync(
        script,
        `import { proveCredential, restoreIdentity } from '@custos/sdk/holder';
         import { expectedPublicSignals } from '@custos/sdk/zk';
         import { credentialScenario } from '../../test/zk/fixtures.ts';
         const { secret, request } = await credentialScenario();
         const base = 'http://127.0.0.1:${port}';
         const artifacts = { wasm: base + '/zk/credential.wasm', zkey: base + '/zk/credential.zkey' };
         // Two at once: the first to finish must not stop the prover the other one still uses.
         const [proof, again] = await Promise.all([
           proveCredential(restoreIdentity(secret), request, artifacts),
           proveCredential(restoreIdentity(secret), request, artifacts),
         ]);
         console.log(JSON.stringify({ proof, again, signals: expectedPublicSignals(secret, request).map(String) }));`,
      );
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
        timeout: 60_000,
      }).finally(() => rmSync(dir, { recursive: true, force: true }));
      const { proof, again, signals } = JSON.parse(stdout) as {
        proof: ContractProof;
        again: ContractProof;
        signals: string[];
      };
      assert.equal(await verifies(proof, signals.map(BigInt)), true);
      assert.equal(await verifies(again, signals.map(BigInt)), true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('proves the same in a browser from the bundle (headless Chromium)', async (ctx) => {
    if (!requireSystemPackage(ctx, 'chromium', hasChromium())) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'custos-sdk-'));
    const files: Record<string, string> = {
      '/custos-holder.js': path.join(dir, 'custos-holder.js'),
      '/credential.wasm': artifactPath('wasm'),
      '/credential.zkey': artifactPath('zkey'),
      '/': path.join(dir, 'index.html'),
    };
    await build({
      entryPoints: ['packages/sdk/src/holder/index.ts'],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: files['/custos-holder.js']!,
      logLevel: 'silent',
    });
    const server: Server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>');
      if (!file) return res.writeHead(404).end();
      const type = file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const { secret, request } = await credentialScenario();
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      // Only strings cross into the page; the SDK rebuilds the request there.
      const plain = JSON.parse(JSON.stringify(request, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
      // Plain source text: a function literal here would be compiled by tsx with helpers the page does not have.
      const script = `(async () => {
        const revive = (v) => typeof v === 'string' && /^\\d+n$/.test(v) ? BigInt(v.slice(0, -1))
          : Array.isArray(v) ? v.map(revive)
          : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)])) : v;
        const sdk = await import('/custos-holder.js');
        return sdk.proveCredential(sdk.restoreIdentity(${secret}n), revive(${JSON.stringify(plain)}),
          { wasm: '/credential.wasm', zkey: '/credential.zkey' });
      })()`;
      const proof = (await page.evaluate(script)) as ContractProof;
      assert.equal(await verifies(proof, expectedPublicSignals(secret, request)), true);
    } finally {
      await browser.close();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

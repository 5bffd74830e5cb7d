import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { complianceGatekeeperAbi, compliantTokenAbi } from '@custos/contracts';
import type { DevCredentials } from '@custos/sdk/dev';
import { submitProof as submitProofWithEthers } from '@custos/sdk/ethers';
import { submitProof } from '@custos/sdk/viem';
import { JsonRpcProvider, Wallet } from 'ethers';
import { chromium } from 'playwright-core';
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  keccak256,
  toBytes,
  type Address,
  type Hex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startEmbedded, stopChild } from '../helpers/embedded.js';
import { ANVIL_SECOND_PRIVATE_KEY } from '../helpers/fixtures.js';
import { cleanEnv } from '../helpers/packages.js';
import { CHROMIUM, hasChromium, requireSystemPackage } from '../helpers/systemPackage.js';

const run = promisify(execFile);
const REPOSITORY = path.resolve('.');
const EXAMPLES = ['node-viem', 'node-ethers', 'browser-holder'];
/** A policy's id on chain: keccak256 of its name. */
const KYC_BASIC = keccak256(toBytes('kyc-basic'));

/** The `sh` block of an example's README: the commands before its `cd` run in the repository, the rest in the example. */
function readmeCommands(example: string) {
  const readme = readFileSync(path.join('examples', example, 'README.md'), 'utf8');
  const lines = /```sh\n([\s\S]*?)```/
    .exec(readme)![1]!
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const cd = lines.findIndex((line) => line.startsWith('cd '));
  assert.ok(cd > 0, `${example}/README.md: no cd line after the repository's commands`);
  return { inRepository: lines.slice(0, cd), directory: lines[cd]!.slice(3), inExample: lines.slice(cd + 1) };
}

/** As a newcomer's shell runs it, without this run's npm variables; npm answers from its cache when it can. */
async function sh(command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run('sh', ['-c', command], {
    cwd,
    env: {
      ...cleanEnv(),
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      ...env,
    },
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** The JSON line an example prints last (npm prints its script's banner before it). */
const printed = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('the dApp examples, from the npm pack tarballs, outside the repository, against npm start', () => {
  // The layout of the repository: examples/<name>, and .custos where `npm start` writes its credentials.
  const project = mkdtempSync(path.join(tmpdir(), 'custos-examples-'));
  const dataDir = path.join(project, '.custos');
  let service: ChildProcess | undefined;
  let credentials: DevCredentials;

  const chain = () =>
    defineChain({
      id: credentials.chainId,
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [credentials.rpcUrl] } },
    });
  const reader = () => createPublicClient({ chain: chain(), transport: http() });
  const isCompliant = (account: Address, policyId: Hex) =>
    reader().readContract({
      address: credentials.contracts.ComplianceGatekeeper as Address,
      abi: complianceGatekeeperAbi,
      functionName: 'isCompliant',
      args: [account, policyId],
    });
  const balanceOf = (account: string) =>
    reader().readContract({
      address: credentials.contracts.CompliantToken as Address,
      abi: compliantTokenAbi,
      functionName: 'balanceOf',
      args: [account as Address],
    });

  /** Copies the example's sources (what git holds) to the project and runs its README's commands there. */
  async function runExample(example: string): Promise<{ cwd: string; outputs: string[]; last: string }> {
    const { directory, inExample } = readmeCommands(example);
    const cwd = path.join(project, directory);
    const outputs: string[] = [];
    for (const command of inExample.slice(0, -1)) outputs.push(await sh(command, cwd));
    // The packages came from the tarballs, not from the repository's workspace.
    for (const name of ['sdk', 'contracts']) {
      assert.equal(lstatSync(path.join(cwd, 'node_modules', '@custos', name)).isSymbolicLink(), false, name);
    }
    return { cwd, outputs, last: inExample.at(-1)! };
  }

  before(async () => {
    chmodSync(project, 0o755); // embedded PostgreSQL runs as another user when the tests run as root
    mkdirSync(dataDir, { mode: 0o755 });
    for (const example of EXAMPLES) {
      cpSync(path.join('examples', example), path.join(project, 'examples', example), {
        recursive: true,
        filter: (source) => !/node_modules|[/\\]dist$|\.tgz$|package-lock\.json$/.test(source),
      });
    }
    const started = startEmbedded(dataDir);
    try {
      // Every README packs the same way: its repository commands run once, the tarballs land in the project.
      const { inRepository } = readmeCommands(EXAMPLES[0]!);
      for (const example of EXAMPLES) assert.deepEqual(readmeCommands(example).inRepository, inRepository);
      for (const command of inRepository) {
        const destination = path.join(project, 'examples');
        await sh(
          command.replace('--pack-destination examples', `--pack-destination ${destination}`),
          REPOSITORY,
        );
      }
    } finally {
      const { child, credentials: written } = await started;
      service = child;
      credentials = written;
    }
  });
  after(async () => {
    await stopChild(service);
    rmSync(project, { recursive: true, force: true });
  });

  it('node-viem: attests, mints with viem and names the refusal; proves in Node, mints with the proof, and exits', async () => {
    const { cwd, outputs, last } = await runExample('node-viem');
    const minted = printed(outputs.at(-1)!);
    assert.equal(minted.balance, '1000');
    assert.equal(await balanceOf(minted.customer), 1000n, 'on chain, not only in the output');
    assert.equal(minted.refused, `AttestationAlreadyUsed(${minted.uid})`);

    // `npm run prove` must end by itself: a hang on the prover's threads fails on the timeout.
    const proved = printed(await sh(last, cwd));
    assert.equal(proved.balance, '500');
    assert.equal(await balanceOf(proved.customer), 500n);
  });

  it('node-ethers: attests, mints with ethers v6 and names the refusal', async () => {
    const { cwd, last } = await runExample('node-ethers');
    const minted = printed(await sh(last, cwd));
    assert.equal(minted.balance, '1000');
    assert.equal(await balanceOf(minted.customer), 1000n);
    assert.equal(minted.refused, `AttestationAlreadyUsed(${minted.uid})`);
    const status = await fetch(`${credentials.url}/v1/attestations/${minted.uid}`, {
      headers: { authorization: `Bearer ${credentials.apiKey}` },
    });
    assert.equal(((await status.json()) as { subject: string }).subject, minted.customer);
  });

  it('browser-holder: the page proves a credential in headless Chromium; the gatekeeper accepts the proof', async (t) => {
    if (!requireSystemPackage(t, 'chromium', hasChromium())) return;
    const { cwd, last } = await runExample('browser-holder');
    const server = spawn('sh', ['-c', last], {
      cwd,
      env: { ...cleanEnv(), PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // its own process group: npm, sh and node stop together
    });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: server.stdout! }).on('line', (line) => {
          const served = /serving (http:\S+)/.exec(line);
          if (served) resolve(served[1]!);
        });
        server.once('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
      });
      const holder = privateKeyToAccount(ANVIL_SECOND_PRIVATE_KEY);
      const page = await browser.newPage();
      await page.goto(url);
      await page.fill('#recipient', holder.address);
      await page.click('#prove');
      // Source text, not a function: tsx would compile a function with helpers the page does not have.
      await page.waitForFunction("!['idle', 'working'].includes(document.body.dataset.state)", null, {
        timeout: 120_000,
      });
      const output = await page.textContent('#output');
      assert.equal(await page.getAttribute('body', 'data-state'), 'proved', output!);
      const proved = JSON.parse(output!);
      assert.equal(proved.policyId, KYC_BASIC);
      assert.equal(proved.recipient, holder.address);

      assert.equal(await isCompliant(holder.address, KYC_BASIC), false);
      // The holder's wallet sends it, with ethers; a second use is refused, named, through viem.
      const provider = new JsonRpcProvider(credentials.rpcUrl);
      const gatekeeper = credentials.contracts.ComplianceGatekeeper;
      await submitProofWithEthers(new Wallet(ANVIL_SECOND_PRIVATE_KEY, provider), { gatekeeper, ...proved });
      provider.destroy();
      const wallet = createWalletClient({ account: holder, chain: chain(), transport: http() });
      await assert.rejects(submitProof(wallet, { gatekeeper, ...proved }), {
        name: 'CustosRevertError',
        errorName: 'NullifierAlreadyUsed',
      });
      assert.equal(await isCompliant(holder.address, KYC_BASIC), true);
    } finally {
      await browser.close();
      process.kill(-server.pid!, 'SIGTERM');
    }
  });
});

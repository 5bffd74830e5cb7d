import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ANVIL_DEFAULT_PRIVATE_KEY, startAnvil, type AnvilHandle } from '../../src/chain/index.js';
import { spawnService } from '../helpers/serviceProcess.js';

/** A database nobody listens on: a refusal that names a setting proves it was never reached. */
const UNREACHABLE_DATABASE = 'postgresql://custos:secret@127.0.0.1:1/custos';
const KMS_SIGNER = { SIGNER: 'aws-kms', KMS_KEY_ID: 'alias/custos', AWS_REGION: 'eu-central-1' };

/** Processes whose command line mentions `dir`: an embedded PostgreSQL or anvil would. */
function processesUsing(dir: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes(dir) ? [cmdline] : [];
      } catch {
        return [];
      }
    });
}

/**
 * `npm start`'s entry (src/main.ts) as its own process, from an empty working directory, for every configuration
 * Custos refuses: one line naming the setting, exit 1, nothing started, nothing written.
 */
describe('start-up refuses what would lose data or keys', () => {
  let mainnetLike: AnvilHandle;
  before(async () => {
    mainnetLike = await startAnvil({ chainId: 11_155_111 });
  });
  after(async () => {
    await mainnetLike?.stop();
  });

  const production = () => ({
    DATABASE_URL: UNREACHABLE_DATABASE,
    RPC_URL: mainnetLike.rpcUrl,
    GATEKEEPER_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    REVOCATION_REGISTRY_ADDRESS: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    OPERATOR_KMS_KEY_ID: 'alias/operator',
    ...KMS_SIGNER,
  });
  const cases: [string, () => Record<string, string>, RegExp][] = [
    [
      'a configured chain without DATABASE_URL',
      () => ({ ...production(), DATABASE_URL: '' }),
      /^invalid configuration: DATABASE_URL is required when RPC_URL is set: the embedded PostgreSQL is for development/,
    ],
    [
      'the local signer against a configured chain',
      () => ({
        ...production(),
        SIGNER: 'local',
        LOCAL_KEYSTORE_PASSWORD: 'x',
        LOCAL_KEYSTORE_FILE: '/k.json',
      }),
      /^invalid configuration: SIGNER=local is refused when RPC_URL is set: .*ALLOW_LOCAL_SIGNER=true/,
    ],
    [
      'ALLOW_LOCAL_SIGNER with a keystore file that is not there (it would be created: a new key)',
      () => ({
        ...production(),
        SIGNER: 'local',
        ALLOW_LOCAL_SIGNER: 'true',
        LOCAL_KEYSTORE_PASSWORD: 'x',
        LOCAL_KEYSTORE_FILE: '/nonexistent/signer.json',
      }),
      /^invalid configuration: LOCAL_KEYSTORE_FILE \/nonexistent\/signer\.json does not exist: with RPC_URL set Custos opens an existing keystore and never creates one$/,
    ],
    [
      'a configured database with the embedded chain',
      () => ({ DATABASE_URL: UNREACHABLE_DATABASE }),
      /^invalid configuration: RPC_URL is required when DATABASE_URL is set: the embedded chain is a throwaway/,
    ],
    [
      "anvil's public key as the operator of another chain",
      () => ({ ...production(), OPERATOR_KMS_KEY_ID: '', OPERATOR_PRIVATE_KEY: ANVIL_DEFAULT_PRIVATE_KEY }),
      /^invalid configuration: OPERATOR_PRIVATE_KEY is anvil's public development account 0 \(0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\): anyone can sign with it; chain 11155111 needs a key of its own$/,
    ],
    [
      'a misspelled setting',
      () => ({ ...production(), DATABSE_URL: UNREACHABLE_DATABASE }),
      /^invalid configuration: DATABSE_URL is not a Custos setting; did you mean DATABASE_URL\?$/,
    ],
  ];

  for (const [name, env, message] of cases) {
    it(`refuses ${name}`, async () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'custos-refusal-'));
      chmodSync(cwd, 0o755);
      try {
        const service = spawnService({
          env: { PATH: process.env.PATH, HOME: cwd, LOG_LEVEL: 'info', PORT: '0', ...env() },
          cwd,
        });
        const exit = await service.exited;
        const stderr = service.stderr();
        assert.deepEqual(exit, { code: 1, signal: null }, stderr);
        assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
        assert.match(stderr.replace(/^custos: /, '').trimEnd(), message);
        assert.ok(
          !service.lines.some((line) => typeof line === 'object' && line.msg === 'custos is serving'),
        );
        assert.ok(!existsSync(path.join(cwd, '.custos')), 'no data directory created');
        assert.deepEqual(readdirSync(cwd), [], 'nothing written');
        assert.deepEqual(processesUsing(cwd), [], 'no PostgreSQL or anvil left behind');
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});

// Every code block of the tutorials and of the README runs here, in order, against one real service started as
// `npm start` starts it (src/main.ts on embedded defaults). `sh` blocks run in bash (one shell state per document,
// variables and functions carried from block to block); `ts` blocks are saved as a file and run with tsx, as a reader would run them. Any
// other block needs a marker on the line before its fence:
//   <!-- docs-test: skip (why) -->          not run, and the reason says why (e.g. sample output, npm start itself)
//   <!-- docs-test: excerpt <path> -->      its text must appear verbatim in <path>, which another test runs
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startEmbedded, stopChild } from '../helpers/embedded.js';
import { requireSystemPackage } from '../helpers/systemPackage.js';

const run = promisify(execFile);

export interface CodeBlock {
  language: string;
  text: string;
  line: number;
  marker?: { kind: 'skip' | 'excerpt'; argument: string };
}

/** Whether a command is on PATH (the tutorials' shell blocks use curl and jq, as readers do). */
const onPath = (command: string) =>
  (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(path.join(dir, command)));

const FENCE = /^```([\w-]*)\s*$/;
const MARKER = /^<!-- docs-test: (skip|excerpt) (.+?) -->$/;

/** The fenced blocks of a markdown document, with the marker on the line before each, if any. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    // An indented, tilde or annotated fence would be neither run nor checked: refused, not passed over.
    assert.ok(open || !/^\s*(```|~~~)/.test(lines[i]!), `line ${i + 1}: a fence this test does not read`);
    if (!open) continue;
    const end = lines.findIndex((line, j) => j > i && line.trimEnd() === '```');
    assert.ok(end > i, `unclosed code block at line ${i + 1}`);
    const marker = MARKER.exec(lines[i - 1] ?? '');
    blocks.push({
      language: open[1]!,
      text: lines.slice(i + 1, end).join('\n'),
      line: i + 1,
      ...(marker ? { marker: { kind: marker[1] as 'skip' | 'excerpt', argument: marker[2]! } } : {}),
    });
    i = end;
  }
  return blocks;
}

/** Why a block can be neither run nor passed, or undefined: only sh and ts run; a skip needs a reason, an excerpt must be in its file. */
export function problem(block: CodeBlock): string | undefined {
  if (!block.marker) {
    return ['sh', 'ts'].includes(block.language)
      ? undefined
      : `a \`${block.language || 'plain'}\` block is neither run nor marked (see the top of test/docs/tutorials.test.ts)`;
  }
  if (block.marker.kind === 'skip') {
    return /^\(.{10,}\)$/.test(block.marker.argument) ? undefined : 'a skip needs its reason in parentheses';
  }
  return block.text.trim() !== '' &&
    existsSync(block.marker.argument) &&
    readFileSync(block.marker.argument, 'utf8').includes(block.text)
    ? undefined
    : `not a verbatim excerpt of ${block.marker.argument}`;
}

/**
 * A shell block as a script: the variables and functions of the blocks before it, and its own saved for the next.
 * The block's own status is the script's: `set -e` lets a failing `a && b` last line through.
 */
export function shellScript(text: string, state: string): string {
  return (
    `set -a\n[ -f '${state}' ] && . '${state}'\nset -euo pipefail\n${text}\n__status=$?\n` +
    `{ export -p | grep -Ev '^declare -[a-zA-Z]*r'; declare -f; } > '${state}'\nexit $__status\n`
  );
}

const DOCUMENTS = [
  'README.md',
  'docs/tutorials/dapp-integration.md',
  'docs/tutorials/solidity-integration.md',
  'docs/tutorials/officer-runbook.md',
  'docs/tutorials/regulator-walkthrough.md',
  'docs/tutorials/agent-execution.md',
];

describe('code blocks in the docs', () => {
  it('refuses a block that is neither sh nor ts nor marked, a skip without a reason, and an excerpt that is not in its file', () => {
    const blocks = codeBlocks(
      [
        '```json',
        '{}',
        '```',
        '<!-- docs-test: skip (sample output of the step above) -->',
        '```json',
        '{}',
        '```',
        '<!-- docs-test: skip because -->',
        '```json',
        '{}',
        '```',
        '<!-- docs-test: excerpt examples/solidity-gated/src/GatedVault.sol -->',
        '```solidity',
        'contract GatedVault is CustosGated {',
        '```',
        '<!-- docs-test: excerpt examples/solidity-gated/src/GatedVault.sol -->',
        '```solidity',
        'contract Other {',
        '```',
        '```sh',
        'true',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(
      blocks.map((block) => [block.line, problem(block)?.replace(/ \(.*/, '')]),
      [
        [1, 'a `json` block is neither run nor marked'],
        [5, undefined],
        [9, 'a skip needs its reason in parentheses'],
        [13, undefined],
        [17, 'not a verbatim excerpt of examples/solidity-gated/src/GatedVault.sol'],
        [20, undefined],
      ],
    );
    const empty = codeBlocks(['<!-- docs-test: excerpt README.md -->', '```solidity', '```'].join('\n'));
    assert.match(problem(empty[0]!) ?? '', /not a verbatim excerpt/, 'an empty excerpt is in every file');
    assert.throws(() => codeBlocks(['1. a step', '   ```sh', '   false', '   ```'].join('\n')), /a fence/);
  });

  it('a shell block fails when its last command does, a `false && ...` line included', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'custos-docs-sh-'));
    try {
      const script = path.join(dir, 'block.sh');
      for (const [text, fails] of [
        ['false && echo never', true],
        ['A=1\ntrue', false],
        ['test "$A" = 1', false],
      ] as const) {
        writeFileSync(script, shellScript(text, path.join(dir, 'state')));
        const status = await run('bash', [script]).then(
          () => 0,
          (error: { code?: number }) => error.code ?? 1,
        );
        assert.equal(status !== 0, fails, text);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the tutorials and the README, every code block run against npm start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'custos-docs-'));
  chmodSync(dataDir, 0o755);
  // Under the repository (test-results/ is ignored by git), so that `npx custos` and `@custos/*` resolve as in a clone.
  mkdirSync('test-results', { recursive: true });
  const scratch = mkdtempSync(path.resolve('test-results', 'docs-'));
  let service: ChildProcess | undefined;
  before(async () => {
    service = (await startEmbedded(dataDir)).child;
  });
  after(async () => {
    await stopChild(service);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  // The reader's environment: the CLI finds the service and its keys in CUSTOS_DATA_DIR/dev-credentials.json.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CUSTOS_DATA_DIR: dataDir,
    TSX_TSCONFIG_PATH: path.resolve('tsconfig.json'),
  };
  for (const name of ['CUSTOS_URL', 'CUSTOS_OFFICER_KEY', 'CUSTOS_ADMIN_KEY']) delete env[name];

  for (const document of DOCUMENTS) {
    it(document, async (t) => {
      for (const tool of ['curl', 'jq']) if (!requireSystemPackage(t, tool, onPath(tool))) return;
      const blocks = codeBlocks(readFileSync(document, 'utf8'));
      assert.ok(
        blocks.some((block) => !block.marker),
        `${document} has nothing to run`,
      );
      const cwd = mkdtempSync(path.join(scratch, `${path.basename(document, '.md')}-`));
      const state = path.join(cwd, '.shell-state');
      for (const [n, block] of blocks.entries()) {
        const where = `${document}:${block.line}`;
        const refused = problem(block);
        assert.equal(refused, undefined, `${where}: ${refused}`);
        if (block.marker) continue;
        const script = path.join(cwd, `block-${n}.${block.language === 'ts' ? 'ts' : 'sh'}`);
        let command: string[];
        if (block.language === 'sh') {
          writeFileSync(script, shellScript(block.text, state));
          command = ['bash', script];
        } else {
          writeFileSync(script, block.text);
          command = [process.execPath, '--import', 'tsx', script];
        }
        const started = Date.now();
        try {
          await run(command[0]!, command.slice(1), { cwd, env, timeout: 180_000 });
          t.diagnostic(`${where}: ${Date.now() - started} ms`);
        } catch (error) {
          const failed = error as { code?: number; stdout?: string; stderr?: string };
          assert.fail(
            `${where} failed (${failed.code}):\n${block.text}\n--- stdout\n${failed.stdout}\n--- stderr\n${failed.stderr}`,
          );
        }
      }
    });
  }
});

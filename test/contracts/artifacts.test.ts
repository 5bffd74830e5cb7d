import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import {
  ABI_ONLY_CONTRACTS,
  DEPLOYED_CONTRACTS,
  PACKAGE_DIR,
  renderArtifacts,
} from '../../scripts/contracts-package.js';

const OUT = path.resolve('out');

/** The generated files of the package that differ from what `outDir` renders, missing ones and strays included. */
function drift(outDir: string): string[] {
  const rendered = renderArtifacts(outDir);
  const committed = ['artifacts', 'src/generated'].flatMap((dir) =>
    readdirSync(path.join(PACKAGE_DIR, dir)).map((file) => `${dir}/${file}`),
  );
  const differing = [...rendered].filter(
    ([file, content]) => !committed.includes(file) || readFileSync(path.join(PACKAGE_DIR, file), 'utf8') !== content,
  );
  return [...differing.map(([file]) => file), ...committed.filter((file) => !rendered.has(file))].sort();
}

describe('committed contract artifacts (@custos/contracts)', () => {
  before(() => {
    // Incremental: a no-op when the forge tests (npm test runs them first) or a developer compiled already.
    execFileSync(process.execPath, ['scripts/forge.js', 'build'], { stdio: 'ignore' });
  });

  it('are what forge compiles from contracts/src, bytecode and ABI (else: npm run contracts:artifacts, commit)', () => {
    assert.deepEqual(drift(OUT), [], 'regenerate with `npm run contracts:artifacts` and commit the result');
  });

  it("the drift check sees a changed bytecode and a changed ABI (it is not comparing the committed files with themselves)", (t) => {
    const copy = mkdtempSync(path.join(tmpdir(), 'custos-out-'));
    t.after(() => rmSync(copy, { recursive: true, force: true }));
    for (const name of [...DEPLOYED_CONTRACTS, ...ABI_ONLY_CONTRACTS]) {
      cpSync(path.join(OUT, `${name}.sol`), path.join(copy, `${name}.sol`), { recursive: true });
    }
    const edit = (name: string, change: (artifact: { abi: { name: string }[]; bytecode: { object: string } }) => void) => {
      const file = path.join(copy, `${name}.sol`, `${name}.json`);
      const artifact = JSON.parse(readFileSync(file, 'utf8'));
      change(artifact);
      writeFileSync(file, JSON.stringify(artifact));
    };
    edit('AuditAnchor', (a) => (a.bytecode.object = a.bytecode.object.replace(/.$/, (c) => (c === '0' ? '1' : '0'))));
    edit('ICustosGated', (a) => (a.abi[0]!.name = 'custosGatekeeperRenamed'));
    assert.deepEqual(drift(copy), [
      'artifacts/AuditAnchor.json',
      'artifacts/ICustosGated.json',
      'src/generated/AuditAnchor.ts',
      'src/generated/ICustosGated.ts',
    ]);
  });

  it('hold deployment bytecode for every contract the service deploys, and none for abstract ones', () => {
    for (const name of DEPLOYED_CONTRACTS) {
      const artifact = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'artifacts', `${name}.json`), 'utf8'));
      assert.match(artifact.bytecode, /^0x[0-9a-f]{200,}$/, `${name} bytecode`);
      assert.equal(artifact.compiler.viaIR, true, `${name} compiled as the service deploys it (via IR)`);
    }
    for (const name of ABI_ONLY_CONTRACTS) {
      const artifact = JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'artifacts', `${name}.json`), 'utf8'));
      assert.equal(artifact.bytecode, '0x', name);
      assert.ok(artifact.abi.length > 0, `${name} ABI`);
    }
  });
});

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployedContracts } from '@custos/contracts';
import { packWorkspace, scratchProject, type ScratchProject } from '../helpers/packages.js';

const require = createRequire(import.meta.url);
const EXAMPLE = path.resolve('examples/solidity-gated');
/** forge-std as `forge install` lays it out (lib/forge-std/src); here the copy inside an npm package. */
const FORGE_STD = path.dirname(require.resolve('@layerzerolabs/toolbox-foundry/lib/forge-std/Test.sol'));
/** The repository's forge and solc (offline: solc-js through scripts/solc.cjs), as the toolchain, not as Custos. */
const FORGE = path.resolve('scripts/forge.js');
const FORGE_ENV = { FOUNDRY_SOLC: path.resolve('scripts/solc.cjs'), FOUNDRY_OFFLINE: 'true' };

describe('@custos/contracts from its npm pack tarball, in a project outside the repository', () => {
  let packs: string;
  let project: ScratchProject;

  before(async () => {
    packs = mkdtempSync(path.join(tmpdir(), 'custos-packs-'));
    project = await scratchProject([await packWorkspace('contracts', packs)]);
  });
  after(() => {
    project?.remove();
    rmSync(packs, { recursive: true, force: true });
  });

  it('ships the Solidity sources, the JSON artifacts and the typed ABIs, identical to the repository', async () => {
    const installed = path.join(project.dir, 'node_modules', '@custos', 'contracts');
    for (const file of ['CustosGated.sol', 'interfaces/IComplianceGatekeeper.sol', 'zk/ZkCredentials.sol']) {
      assert.equal(
        readFileSync(path.join(installed, file), 'utf8'),
        readFileSync(path.join('contracts/src', file), 'utf8'),
        file,
      );
    }
    // The compiled half, as a Node dApp imports it.
    const script = `
      import { deployedContracts, custosErrorsAbi, complianceGatekeeperAbi } from '@custos/contracts';
      import artifact from '@custos/contracts/artifacts/ComplianceGatekeeper.json' with { type: 'json' };
      console.log(JSON.stringify({
        names: Object.keys(deployedContracts),
        sameBytecode: artifact.bytecode === deployedContracts.ComplianceGatekeeper.bytecode,
        sameAbi: JSON.stringify(artifact.abi) === JSON.stringify(complianceGatekeeperAbi),
        errors: custosErrorsAbi.length,
      }));`;
    const { stdout } = await project.run(process.execPath, ['--input-type=module', '-e', script]);
    const seen = JSON.parse(stdout);
    assert.deepEqual(seen.names, Object.keys(deployedContracts));
    assert.equal(seen.sameBytecode, true);
    assert.equal(seen.sameAbi, true);
    assert.ok(seen.errors > 40, `${seen.errors} errors in custosErrorsAbi`);
  });

  it('compiles examples/solidity-gated (GatedVault is CustosGated) there and passes its forge tests', async () => {
    for (const part of ['foundry.toml', 'src', 'test']) {
      cpSync(path.join(EXAMPLE, part), path.join(project.dir, part), { recursive: true });
    }
    mkdirSync(path.join(project.dir, 'lib', 'forge-std'), { recursive: true });
    symlinkSync(FORGE_STD, path.join(project.dir, 'lib', 'forge-std', 'src'));

    const { stdout } = await project.run(
      process.execPath,
      [FORGE, 'test', '--root', project.dir, '--json'],
      FORGE_ENV,
    );
    const suites = JSON.parse(stdout.slice(stdout.indexOf('{'))) as Record<
      string,
      { test_results: Record<string, { status: string }> }
    >;
    const results = Object.entries(suites['test/GatedVault.t.sol:GatedVaultTest']!.test_results);
    assert.ok(results.length >= 7, `${results.length} tests ran`);
    for (const [test, { status }] of results) assert.equal(status, 'Success', test);
  });
});

// Generates what @custos/contracts ships from the one source of the contracts, contracts/src:
//
//   npm run contracts:artifacts   forge build, then the committed artifacts (packages/contracts/artifacts/*.json) and
//                                 typed ABIs (packages/contracts/src/generated/*.ts) from forge's out/
//   node --import tsx scripts/contracts-package.ts sources
//                                 copies contracts/src/**/*.sol into the package (run by its build, so by npm pack;
//                                 the copies are not committed)
//
// test/contracts/artifacts.test.ts recompiles and fails when the committed artifacts differ from what this writes.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
export const PACKAGE_DIR = path.join(root, 'packages', 'contracts');
const SOURCES = path.join(root, 'contracts', 'src');

/** The contracts the service deploys: ABI and deployment bytecode. */
export const DEPLOYED_CONTRACTS = [
  'RevocationRegistry',
  'ComplianceGatekeeper',
  'CompliantToken',
  'AgentRegistry',
  'AuditAnchor',
  'CredentialVerifier',
] as const;
/** What a dApp builds on or calls: ABI only (abstract contracts and interfaces have no bytecode). */
export const ABI_ONLY_CONTRACTS = [
  'CustosGated',
  'ICustosGated',
  'IComplianceGatekeeper',
  'IAgentDelegations',
  'IZkCredentials',
  'ICredentialVerifier',
] as const;

type AbiItem = { type: string; name?: string; inputs?: AbiParameter[] };
type AbiParameter = { type: string; components?: AbiParameter[] };

interface ForgeArtifact {
  abi: AbiItem[];
  bytecode: { object: string; linkReferences: Record<string, unknown> };
  deployedBytecode: { object: string; linkReferences: Record<string, unknown> };
  metadata: {
    compiler: { version: string };
    settings: {
      optimizer: { enabled: boolean; runs: number };
      viaIR?: boolean;
      evmVersion: string;
      compilationTarget: Record<string, string>;
    };
  };
}

/**
 * Every generated file of the package (path relative to it, content), rendered from forge's output directory.
 * Pure: the drift test compares this with the committed files.
 */
export function renderArtifacts(outDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const abis = new Map<string, AbiItem[]>();
  for (const name of [...DEPLOYED_CONTRACTS, ...ABI_ONLY_CONTRACTS]) {
    const forge = readForgeArtifact(outDir, name);
    const deployed = (DEPLOYED_CONTRACTS as readonly string[]).includes(name);
    const [sourceName] = Object.keys(forge.metadata.settings.compilationTarget);
    const artifact = {
      _format: 'hh-sol-artifact-1',
      contractName: name,
      sourceName,
      abi: forge.abi,
      bytecode: deployed ? forge.bytecode.object : '0x',
      deployedBytecode: deployed ? forge.deployedBytecode.object : '0x',
      linkReferences: forge.bytecode.linkReferences,
      deployedLinkReferences: forge.deployedBytecode.linkReferences,
      compiler: {
        version: forge.metadata.compiler.version,
        optimizer: forge.metadata.settings.optimizer,
        viaIR: forge.metadata.settings.viaIR ?? false,
        evmVersion: forge.metadata.settings.evmVersion,
      },
    };
    files.set(`artifacts/${name}.json`, JSON.stringify(artifact, null, 2) + '\n');
    files.set(`src/generated/${name}.ts`, renderTypedAbi(name, sourceName!, forge, deployed));
    abis.set(name, forge.abi);
  }
  files.set('src/generated/index.ts', renderIndex(abis));
  return files;
}

/** Writes the generated files into the package, replacing every earlier one (a contract removed leaves none behind). */
export function writeArtifacts(outDir: string, packageDir = PACKAGE_DIR): string[] {
  const files = renderArtifacts(outDir);
  for (const dir of ['artifacts', 'src/generated'])
    rmSync(path.join(packageDir, dir), { recursive: true, force: true });
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(packageDir, file)), { recursive: true });
    writeFileSync(path.join(packageDir, file), content);
  }
  return [...files.keys()];
}

/** Copies contracts/src/**\/*.sol into the package, at the same paths; earlier copies are removed first. */
export function copySources(packageDir = PACKAGE_DIR): string[] {
  for (const file of solidityFiles(packageDir)) rmSync(path.join(packageDir, file));
  const copied = solidityFiles(SOURCES);
  for (const file of copied) cpSync(path.join(SOURCES, file), path.join(packageDir, file));
  return copied;
}

/** The .sol files under `dir` (relative paths), outside node_modules. */
function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sol'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes('node_modules'))
    .sort();
}

function readForgeArtifact(outDir: string, name: string): ForgeArtifact {
  const file = path.join(outDir, `${name}.sol`, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ForgeArtifact;
  } catch (cause) {
    throw new Error(`${file} is missing: run "npx forge build" first`, { cause });
  }
}

const HEADER =
  '// Generated by scripts/contracts-package.ts from forge build: do not edit (npm run contracts:artifacts).';

/** `ComplianceGatekeeper` -> `complianceGatekeeper`, `IZkCredentials` -> `iZkCredentials`. */
function camel(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

function renderTypedAbi(name: string, sourceName: string, forge: ForgeArtifact, deployed: boolean): string {
  const lines = [
    HEADER,
    `// Source: ${sourceName}`,
    '',
    `/** The ABI of ${name}, typed to the letter (viem and abitype infer every function, event and error from it). */`,
    `export const ${camel(name)}Abi = ${JSON.stringify(forge.abi, null, 2)} as const;`,
  ];
  if (deployed) {
    lines.push(
      '',
      `/** The deployment (creation) bytecode of ${name}: deploy it with the constructor arguments ABI-encoded after it. */`,
      `export const ${camel(name)}Bytecode: \`0x\${string}\` = '${forge.bytecode.object}';`,
    );
  }
  return lines.join('\n') + '\n';
}

function renderIndex(abis: Map<string, AbiItem[]>): string {
  const lines = [HEADER, ''];
  for (const name of abis.keys()) {
    const deployed = (DEPLOYED_CONTRACTS as readonly string[]).includes(name);
    const names = [`${camel(name)}Abi`, ...(deployed ? [`${camel(name)}Bytecode`] : [])];
    lines.push(`import { ${names.join(', ')} } from './${name}.js';`);
  }
  lines.push('', `export * from './${[...abis.keys()].join(`.js';\nexport * from './`)}.js';`, '');
  lines.push(
    '/** The contracts the Custos service deploys, by their Solidity names: ABI and deployment bytecode. */',
    'export const deployedContracts = {',
    ...DEPLOYED_CONTRACTS.map(
      (name) => `  ${name}: { abi: ${camel(name)}Abi, bytecode: ${camel(name)}Bytecode },`,
    ),
    '} as const;',
    '',
    '/**',
    " * Every custom error any Custos contract can revert with (OpenZeppelin's included), once each: decode a revert",
    " * that surfaced through a dApp's own contract (viem `decodeErrorResult`, ethers `Interface.parseError`).",
    ' */',
    `export const custosErrorsAbi = ${JSON.stringify(uniqueErrors(abis), null, 2)} as const;`,
  );
  return lines.join('\n') + '\n';
}

/** The error items of all the ABIs, one per signature, sorted by signature so the output is stable. */
function uniqueErrors(abis: Map<string, AbiItem[]>): AbiItem[] {
  const bySignature = new Map<string, AbiItem>();
  for (const abi of abis.values()) {
    for (const item of abi) if (item.type === 'error') bySignature.set(signatureOf(item), item);
  }
  return [...bySignature.keys()].sort().map((signature) => bySignature.get(signature)!);
}

function signatureOf(item: AbiItem): string {
  const type = (p: AbiParameter): string =>
    p.type.startsWith('tuple') ? `(${(p.components ?? []).map(type).join(',')})${p.type.slice(5)}` : p.type;
  return `${item.name}(${(item.inputs ?? []).map(type).join(',')})`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [command, outDir = path.join(root, 'out')] = process.argv.slice(2);
  if (command === 'artifacts') {
    console.log(
      `wrote ${writeArtifacts(path.resolve(outDir)).length} files into ${path.relative(root, PACKAGE_DIR)}`,
    );
  } else if (command === 'sources') {
    console.log(`copied ${copySources().length} Solidity files into ${path.relative(root, PACKAGE_DIR)}`);
  } else {
    console.error('usage: scripts/contracts-package.ts artifacts [forge-out-dir] | sources');
    process.exit(2);
  }
}

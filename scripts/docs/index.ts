// `npm run docs`: writes the generated references under docs/reference from their sources. Run it after changing
// a route's schema, a command, a setting, a contract's NatSpec or a limit, and commit the result;
// test/docs/generated.test.ts fails when a committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderApi } from './api.js';
import { renderCli } from './cli.js';
import { renderContracts } from './contracts.js';
import { renderEnvironment } from './environment.js';
import { renderLimits } from './limits.js';

export const REFERENCE_DIR = path.resolve(import.meta.dirname, '..', '..', 'docs', 'reference');

/** Every generated file (name under docs/reference, content). Pure: forge's out/ must hold a current build. */
export function renderDocs(
  outDir = path.resolve(import.meta.dirname, '..', '..', 'out'),
): Map<string, string> {
  return new Map([
    ['api.md', renderApi()],
    ['cli.md', renderCli()],
    ['environment.md', renderEnvironment()],
    ['contracts.md', renderContracts(outDir)],
    ['limits.md', renderLimits()],
  ]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = renderDocs();
  mkdirSync(REFERENCE_DIR, { recursive: true });
  for (const [file, content] of files) writeFileSync(path.join(REFERENCE_DIR, file), content);
  console.log(`wrote ${[...files.keys()].map((file) => `docs/reference/${file}`).join(', ')}`);
}

#!/usr/bin/env node
// The `custos` command: the TypeScript source through tsx in a checkout, the compiled CLI in a production image
// (which ships dist/ and no source). Source first, so a stale dist/ never shadows the code being worked on.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src', 'cli', 'main.ts');
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(path.join(root, 'dist', 'src', 'cli', 'main.js')).href);
}

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

/** The environment without what `npm test` sets for its own run (npm_config_*, npm_package_*, ...). */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** Packs the workspace package in `packages/<dir>` with `npm pack` (its prepack builds it); the tarball's path. */
export async function packWorkspace(dir: string, destination: string): Promise<string> {
  const manifest = JSON.parse(readFileSync(path.join(root, 'packages', dir, 'package.json'), 'utf8'));
  await run('npm', ['pack', `./packages/${dir}`, '--pack-destination', destination], {
    cwd: root,
    env: cleanEnv(),
  });
  return path.join(
    destination,
    `${manifest.name.replace('@', '').replace('/', '-')}-${manifest.version}.tgz`,
  );
}

export interface ScratchProject {
  dir: string;
  /** Runs a command in the project, outside the repository, with npm's variables of this run removed. */
  run(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }>;
  remove(): void;
}

/**
 * A project in a temporary directory outside the repository with nothing of Custos but the given tarballs, installed
 * as a dApp team installs them (their dependencies from npm's cache when it has them).
 */
export async function scratchProject(tarballs: string[]): Promise<ScratchProject> {
  const dir = mkdtempSync(path.join(tmpdir(), 'custos-scratch-'));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, type: 'module' }),
  );
  const project: ScratchProject = {
    dir,
    run: (command, args, env = {}) =>
      run(command, args, { cwd: dir, env: { ...cleanEnv(), ...env }, maxBuffer: 64 * 1024 * 1024 }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  try {
    await project.run('npm', ['install', ...tarballs, '--no-audit', '--no-fund', '--prefer-offline']);
    return project;
  } catch (error) {
    project.remove();
    throw error;
  }
}

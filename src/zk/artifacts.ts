import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../packageRoot.js';

/** The committed circuit artifacts and where each lives, relative to the package root. */
export const ARTIFACT_PATHS = {
  circuit: 'circuits/credential.circom',
  wasm: 'zk/credential.wasm',
  zkey: 'zk/credential.zkey',
  verificationKey: 'zk/verification_key.json',
  verifier: 'contracts/src/zk/CredentialVerifier.sol',
} as const;
export type ArtifactName = keyof typeof ARTIFACT_PATHS;
export const MANIFEST_PATH = 'zk/manifest.json';

export interface ZkManifest {
  /** sha256 of each artifact (hex). */
  sha256: Record<ArtifactName, string> & { r1cs: string };
  constraints: number;
  publicSignals: number;
  ptau: { file: string; sha256: string; power: number };
  beacon: string;
  tools: { circom2: string; snarkjs: string; circomlib: string };
}

export const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The bytes of an artifact, refused unless their sha256 is the manifest's: a prover only proves with pinned keys. */
export function readPinnedArtifact(name: ArtifactName, root = packageRoot()): Uint8Array {
  const bytes = readFileSync(artifactPath(name, root));
  if (createHash('sha256').update(bytes).digest('hex') !== loadManifest(root).sha256[name]) {
    throw new Error(`${ARTIFACT_PATHS[name]} does not match zk/manifest.json: rerun custos zk setup or restore it`);
  }
  return bytes;
}

export function artifactPath(name: ArtifactName, root = packageRoot()): string {
  return path.join(root, ARTIFACT_PATHS[name]);
}

export function loadManifest(root = packageRoot()): ZkManifest {
  return JSON.parse(readFileSync(path.join(root, MANIFEST_PATH), 'utf8')) as ZkManifest;
}

/** The names of the artifacts whose hash no longer matches the manifest (empty when they all match). */
export function driftedArtifacts(
  root = packageRoot(),
  names = Object.keys(ARTIFACT_PATHS) as ArtifactName[],
) {
  const manifest = loadManifest(root);
  return names.filter((name) => sha256File(artifactPath(name, root)) !== manifest.sha256[name]);
}

/**
 * Refuses to run with proving or verification keys other than the ones set up: a swapped verification key would
 * accept proofs the deployed verifier rejects (or the reverse), so the mismatch stops start-up instead.
 */
export function assertZkArtifacts(root = packageRoot()): void {
  const drifted = driftedArtifacts(root, ['verificationKey', 'zkey', 'wasm']);
  if (drifted.length > 0) {
    throw new Error(
      `zero-knowledge artifacts do not match zk/manifest.json (${drifted.map((n) => ARTIFACT_PATHS[n]).join(', ')}): rerun custos zk setup or restore them`,
    );
  }
}

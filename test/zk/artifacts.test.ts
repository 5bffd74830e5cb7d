import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ARTIFACT_PATHS, MANIFEST_PATH, assertZkArtifacts } from '../../src/zk/index.js';
import { readPinnedArtifact } from '../../src/zk/artifacts.js';

describe('zero-knowledge artifacts at start-up', () => {
  it('accepts the committed artifacts and refuses a verification key that is not the manifest one', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'custos-zk-'));
    try {
      for (const file of [MANIFEST_PATH, ...Object.values(ARTIFACT_PATHS)]) {
        cpSync(path.resolve(file), path.join(root, file), { recursive: true });
      }
      assertZkArtifacts(root);
      appendFileSync(path.join(root, ARTIFACT_PATHS.verificationKey), ' ');
      assert.throws(
        () => assertZkArtifacts(root),
        /^Error: zero-knowledge artifacts do not match zk\/manifest\.json \(zk\/verification_key\.json\): rerun custos zk setup or restore them$/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the bytes a prover proves with', () => {
  it('are the pinned ones: one flipped byte of the proving key or the wasm is refused', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'custos-zk-'));
    try {
      for (const file of [MANIFEST_PATH, ARTIFACT_PATHS.zkey, ARTIFACT_PATHS.wasm]) {
        cpSync(path.resolve(file), path.join(root, file), { recursive: true });
      }
      for (const name of ['zkey', 'wasm'] as const) {
        const file = path.join(root, ARTIFACT_PATHS[name]);
        const original = readFileSync(file);
        assert.deepEqual(readPinnedArtifact(name, root), original);
        const flipped = Buffer.from(original);
        flipped[flipped.length >> 1] = flipped[flipped.length >> 1]! ^ 1;
        writeFileSync(file, flipped);
        assert.throws(
          () => readPinnedArtifact(name, root),
          new RegExp(`^Error: ${ARTIFACT_PATHS[name]} does not match zk/manifest.json`),
        );
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

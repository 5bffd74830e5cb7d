import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ARTIFACT_PATHS, MANIFEST_PATH, assertZkArtifacts } from '../../src/zk/index.js';

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

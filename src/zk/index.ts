// Zero-knowledge credentials: the circuit's arithmetic, Merkle trees, witnesses and the committed artifacts.
export * from '@custos/sdk/zk';
export {
  ARTIFACT_PATHS,
  MANIFEST_PATH,
  artifactPath,
  assertZkArtifacts,
  driftedArtifacts,
  loadManifest,
  sha256File,
  type ArtifactName,
  type ZkManifest,
} from './artifacts.js';
export {
  ProverBusyError,
  ProverPool,
  ProverTimeoutError,
  WitnessRejectedError,
  type ProofResult,
} from './proverPool.js';

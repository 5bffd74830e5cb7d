// Zero-knowledge credentials: the circuit's arithmetic, Merkle trees, witnesses and the committed artifacts.
export * from './credential.js';
export {
  MemoryNodeStore,
  SparseMerkleTree,
  type LeafProof,
  type NodePosition,
  type NodeStore,
  type TreeNode,
} from './merkleTree.js';
export {
  EMPTY_TREE_ROOT,
  expectedPublicSignals,
  proofRequestFrom,
  witnessInput,
  type CredentialJson,
  type PathJson,
  type ProofRequest,
} from './witness.js';
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
export { toContractProof, type ContractProof } from './contractProof.js';
export {
  ProverBusyError,
  ProverPool,
  ProverTimeoutError,
  WitnessRejectedError,
  type ProofResult,
} from './proverPool.js';

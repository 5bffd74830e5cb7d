// The credential circuit's arithmetic: exactly what circuits/credential.circom computes (Poseidon from
// poseidon-lite), its sparse Merkle trees, witnesses and the contract's proof shape. Shared by the service, the
// holder API and the tests; browser-safe.
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
export { toContractProof, type ContractProof } from './contractProof.js';

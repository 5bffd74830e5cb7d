// The holder SDK: identities, credential proofs, and the arithmetic to build a proof request. Browser-safe: it
// imports the zk modules it needs one by one, never src/zk/index.ts (which reads artifacts from disk).
export {
  createIdentity,
  proveCredential,
  restoreIdentity,
  type CircuitArtifacts,
  type HolderIdentity,
} from './holder.js';
export {
  credentialLeaf,
  identityCommitment,
  policyHash,
  policyTagOf,
  scopeOf,
  ymdOf,
  type Credential,
  type ZkPolicy,
} from '../zk/credential.js';
export { MemoryNodeStore, SparseMerkleTree } from '../zk/merkleTree.js';
export { type ProofRequest } from '../zk/witness.js';
export { type ContractProof } from '../zk/contractProof.js';

// The holder API: identities, credentials and paths from Custos, local proofs. Node and browsers.
export {
  createIdentity,
  proveCredential,
  releaseProver,
  restoreIdentity,
  type CircuitArtifacts,
  type HolderIdentity,
  type ProveOptions,
} from './prove.js';
export {
  CustosHolderClient,
  type IssuedCredential,
  type ProofContext,
  type ZkParameters,
  type ZkPolicyParameters,
} from './client.js';
export { CustosApiError } from '../client.js';
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
export type { ContractProof, ProofRequest } from '../zk/index.js';

// The holder SDK: identities, credentials and paths from Custos, local proofs, and the arithmetic behind them. Browser-safe: it
// imports the zk modules it needs one by one, never src/zk/index.ts (which reads artifacts from disk).
export {
  createIdentity,
  proveCredential,
  restoreIdentity,
  type CircuitArtifacts,
  type HolderIdentity,
} from './holder.js';
export {
  CustosApiError,
  CustosHolderClient,
  type ProofContext,
  type ZkParameters,
  type ZkPolicyParameters,
} from './client.js';
export type { CredentialPath, IssuedCredential, RevocationPath } from '../credentials/index.js';
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

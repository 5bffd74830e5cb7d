// The chain part of Custos: contract artifacts and typed bindings, deployment and the local anvil chain.
export { loadArtifact, type ContractArtifact } from './artifacts.js';
export {
  bindContract,
  custosContract,
  deployContract,
  describeRevert,
  eventDecoder,
  type ContractAbi,
  type ContractName,
  type CustosContract,
  type CustosEvent,
} from './bindings.js';
export {
  ANVIL_DEFAULT_PRIVATE_KEY,
  anvilBinary,
  freePort,
  startAnvil,
  type AnvilHandle,
  type AnvilOptions,
} from './anvil.js';
export {
  ChainOperator,
  DEFAULT_FEE_BUMPS,
  SIGNER_TRUSTED_WITHOUT_END,
  type ChainOperatorOptions,
  type ChainReceipt,
} from './operator.js';
export { type FeeBumpPolicy } from './transactionSender.js';
export { startLocalChain, type LocalChain, type LocalChainOptions } from './localChain.js';
export { deployCustos, type DeployParameters, type Deployment, type PolicyDeployment } from './deploy.js';
export { policyIdOf } from './policyId.js';
export { readChainId } from './chainId.js';

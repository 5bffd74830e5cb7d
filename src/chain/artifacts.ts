import { deployedContracts } from '@custos/contracts';
import type { ContractAbi, ContractName } from './bindings.js';

export type { ContractName } from './bindings.js';

export interface ContractArtifact<N extends ContractName = ContractName> {
  abi: ContractAbi<N>;
  bytecode: `0x${string}`;
}

/**
 * A contract's typed ABI and deployment bytecode, as committed in @custos/contracts (generated from `forge build`
 * and checked against it by test/contracts/artifacts.test.ts): nothing is compiled or read from disk at run time.
 */
export function loadArtifact<N extends ContractName>(name: N): ContractArtifact<N> {
  return deployedContracts[name];
}

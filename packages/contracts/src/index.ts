// @custos/contracts: the typed ABIs and deployment bytecode of the Custos contracts, generated from forge's output
// by scripts/contracts-package.ts. The Solidity sources ship beside them (`@custos/contracts/CustosGated.sol`), and
// the same ABIs and bytecode as JSON artifacts (`@custos/contracts/artifacts/<Name>.json`).
import type { deployedContracts } from './generated/index.js';

export * from './generated/index.js';

/** The Solidity name of a contract the Custos service deploys. */
export type DeployedContractName = keyof typeof deployedContracts;

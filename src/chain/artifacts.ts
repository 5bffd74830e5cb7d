import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { InterfaceAbi } from 'ethers';
import { packageRoot } from '../packageRoot.js';

/** The contracts Custos deploys, by their Solidity names. */
export const CONTRACT_NAMES = [
  'RevocationRegistry',
  'ComplianceGatekeeper',
  'CompliantToken',
  'AgentRegistry',
  'AuditAnchor',
  'CredentialVerifier',
] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

export interface ContractArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

/** Reads a contract compiled by `forge build` (out/<Name>.sol/<Name>.json). */
export function loadArtifact(name: ContractName, outDir = path.join(packageRoot(), 'out')): ContractArtifact {
  const file = path.join(outDir, `${name}.sol`, `${name}.json`);
  let parsed: { abi: InterfaceAbi; bytecode: { object: string } };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new Error(`contract artifact ${file} is missing: run "npm run build:contracts" first`, { cause });
  }
  return { abi: parsed.abi, bytecode: parsed.bytecode.object };
}

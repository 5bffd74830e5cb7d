import { id } from 'ethers';

/** The on-chain id of a policy: `keccak256(bytes(policyName))`, as ComplianceGatekeeper expects. */
export function policyIdOf(policyName: string): string {
  return id(policyName);
}

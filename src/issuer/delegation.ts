import { TypedDataEncoder, getAddress } from 'ethers';
import { policyIdOf } from '../chain/policyId.js';
import { custosDomain, type AttestationDomain } from './typedData.js';

/**
 * The EIP-712 types of a delegation, exactly as ComplianceGatekeeper.submitDelegation checks them. The principal and
 * a Custos signer sign the same digest.
 */
export const DELEGATION_TYPES = {
  Delegation: [
    { name: 'uid', type: 'bytes32' },
    { name: 'principal', type: 'address' },
    { name: 'agent', type: 'address' },
    { name: 'policyId', type: 'bytes32' },
    { name: 'permissions', type: 'Permission[]' },
    { name: 'spendCap', type: 'uint128' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'expiresAt', type: 'uint64' },
  ],
  Permission: [
    { name: 'target', type: 'address' },
    { name: 'selector', type: 'bytes4' },
  ],
};

/** One call the agent may make. */
export interface DelegationPermission {
  target: string;
  selector: string;
}

/** A delegation's terms as stored: the policy by name, the cap in decimal (2^128-1 for none). */
export interface DelegationRecord {
  uid: string;
  principal: string;
  agent: string;
  policy: string;
  permissions: DelegationPermission[];
  spendCap: string;
  issuedAt: number;
  expiresAt: number;
}

export interface DelegationMessage extends Omit<DelegationRecord, 'policy'> {
  policyId: string;
}

/** The EIP-712 message of `record`, addresses checksummed and the policy as its id. */
export function delegationMessage(record: DelegationRecord): DelegationMessage {
  const { policy, ...terms } = record;
  return {
    ...terms,
    principal: getAddress(record.principal),
    agent: getAddress(record.agent),
    policyId: policyIdOf(policy),
    permissions: record.permissions.map((p) => ({ target: getAddress(p.target), selector: p.selector })),
  };
}

/** The digest the principal and a Custos signer both sign, for this chain and gatekeeper. */
export function delegationDigest(chainId: number, gatekeeper: string, record: DelegationRecord): string {
  return TypedDataEncoder.hash(
    custosDomain(chainId, gatekeeper),
    DELEGATION_TYPES,
    delegationMessage(record),
  );
}

/** A countersigned delegation in the response shape (see @custos/sdk/api delegationResponse). */
export interface SignedDelegation extends DelegationRecord {
  signer: string;
  domain: AttestationDomain;
  types: typeof DELEGATION_TYPES;
  message: DelegationMessage;
  principalSignature: string;
  signature: string;
}

export function signedDelegation(
  record: DelegationRecord,
  context: {
    chainId: number;
    gatekeeper: string;
    signer: string;
    principalSignature: string;
    signature: string;
  },
): SignedDelegation {
  const message = delegationMessage(record);
  return {
    ...record,
    principal: message.principal,
    agent: message.agent,
    permissions: message.permissions,
    signer: context.signer,
    domain: custosDomain(context.chainId, context.gatekeeper),
    types: DELEGATION_TYPES,
    message,
    principalSignature: context.principalSignature,
    signature: context.signature,
  };
}

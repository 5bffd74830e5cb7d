import { Wallet } from 'ethers';
import {
  MemoryNodeStore,
  SparseMerkleTree,
  credentialLeaf,
  identityCommitment,
  policyTagOf,
  scopeOf,
  ymdOf,
  type Credential,
  type ProofRequest,
  type ZkPolicy,
} from '../../src/zk/index.js';
import { policyIdOf } from '../../src/chain/policyId.js';

export const NOW = 1_795_000_000; // 2026-11-18
export const KYC_POLICY: ZkPolicy = {
  policyTag: policyTagOf(policyIdOf('kyc-basic')),
  minAge: 18,
  requireAccredited: false,
  maxRiskTier: 2,
  deniedCountries: [408, 364, 760, 192], // North Korea, Iran, Syria, Cuba
};

/**
 * A holder's credential (id 1, after someone else's id 0) in fresh issuance and revocation trees, and the request
 * to prove it for `recipient`: valid unless the caller changes something.
 */
export async function credentialScenario(overrides: Partial<Credential> = {}, policy = KYC_POLICY) {
  const secret = 0x1234_5678_9abc_def0_1234_5678_9abc_def0n;
  const issuance = new SparseMerkleTree(new MemoryNodeStore());
  const revocation = new SparseMerkleTree(new MemoryNodeStore());
  await issuance.set(0, 42n); // another holder's leaf
  const credential: Credential = {
    credentialId: 1,
    identityCommitment: identityCommitment(secret),
    policyTag: policy.policyTag,
    expiresAt: NOW + 90 * 86_400,
    country: 276, // Germany
    birthYmd: 19_900_101,
    accredited: false,
    riskTier: 1,
    ...overrides,
  };
  await issuance.set(credential.credentialId, credentialLeaf(credential));
  await revocation.set(7, 1n); // someone else's revoked credential
  const recipient = Wallet.createRandom().address;
  const request: ProofRequest = {
    credential,
    policy,
    issuanceRoot: await issuance.root(),
    issuanceSiblings: await issuance.path(credential.credentialId),
    revocationRoot: await revocation.root(),
    revocationSiblings: await revocation.path(credential.credentialId),
    timestamp: NOW,
    todayYmd: ymdOf(NOW),
    scope: scopeOf(31337, '0x000000000000000000000000000000000000c057', `0x${'00'.repeat(32)}`, NOW),
    recipient,
  };
  return { secret, issuance, revocation, credential, request };
}

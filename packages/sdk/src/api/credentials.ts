import { z } from 'zod';
import { address, credentialId, fieldElement, policyName, unixSeconds } from './primitives.js';

/** `POST /v1/credentials`: a zero-knowledge credential for the holder's identity commitment (never its secret). */
export const credentialRequest = z
  .object({ subject: address, policy: policyName, identityCommitment: fieldElement })
  .strict()
  .meta({ id: 'CredentialRequest' });

/** A credential's leaf fields as the circuit reads them (bigints as decimal strings). */
export const credentialFields = z
  .object({
    credentialId: z.number().int(),
    identityCommitment: z.string(),
    policyTag: z.string(),
    expiresAt: unixSeconds,
    country: z.number().int(),
    birthYmd: z.number().int(),
    accredited: z.boolean(),
    riskTier: z.number().int(),
  })
  .meta({ id: 'CredentialFields' });

export const issuedCredential = z
  .object({
    uid: z.string(),
    format: z.literal('groth16'),
    credentialId: z.number().int(),
    policy: z.string(),
    subject: z.string(),
    issuedAt: unixSeconds,
    expiresAt: unixSeconds,
    credential: credentialFields,
    leaf: z.string(),
    issuanceRoot: z.string(),
    issuanceRootTx: z.string(),
  })
  .meta({ id: 'IssuedCredential' });

export const credentialParams = z.object({ id: credentialId });

/** A Merkle path for the circuit: the root it leads to and the siblings bottom-up (decimal). */
export const credentialPath = z
  .object({ credentialId: z.number().int(), root: z.string(), siblings: z.array(z.string()) })
  .meta({ id: 'CredentialPath' });

export const revocationPath = credentialPath
  .extend({ epoch: z.number().int().describe('the registry epoch whose root this path leads to') })
  .meta({ id: 'RevocationPath' });

/** A policy's zero-knowledge parameters, or why it has none. */
export const zkPolicyParameters = z.object({
  name: z.string(),
  policyId: z.string(),
  supported: z.boolean(),
  unsupported: z.string().optional(),
  policyTag: z.string().optional(),
  minAge: z.number().int().optional(),
  requireAccredited: z.boolean().optional(),
  maxRiskTier: z.number().int().optional(),
  deniedCountries: z.array(z.number().int()).optional(),
  policyHash: z.string().optional(),
});

/** `GET /v1/zk`: what a holder needs besides its credential and paths. */
export const zkParameters = z
  .object({
    chainId: z.number().int(),
    gatekeeper: z.string(),
    revocationRegistry: z.string(),
    policies: z.array(zkPolicyParameters),
    circuit: z.object({
      constraints: z.number().int(),
      publicSignals: z.number().int().describe('how many public signals the circuit has'),
      wasm: z.string(),
      zkey: z.string(),
      verificationKey: z.string(),
      sha256: z.record(z.string(), z.string()),
    }),
  })
  .meta({ id: 'ZkParameters' });

/**
 * Every kind of event the audit log holds, with what it records. The type of AuditEventInput, so an event cannot be
 * written under a name that is not listed here (and documented from here).
 */
export const AUDIT_EVENT_TYPES = {
  'attestation.issued': 'screening passed and an EIP-712 attestation or a custodial groth16 proof was issued',
  'delegation.issued':
    "screening passed for a delegation's principal and Custos countersigned it (agent, allowed calls, cap, both signatures)",
  'screening.failed': 'screening refused a subject for a policy, with the reason codes',
  'attestation.revoked': 'an officer revoked an attestation (recorded before the chain is told)',
  'attestation.revocation_confirmed': "the attestation's revocation is on-chain, with its transaction",
  'credential.issued': 'a zero-knowledge credential was issued into the issuance tree',
  'credential.reused': 'a holder asked again and got its still-fresh credential back',
  'credential.revoked': 'an officer revoked a zero-knowledge credential (its revocation-tree leaf is set)',
  'credential.root_published': 'a signed issuance root was submitted to the gatekeeper',
  'revocation_root.published': 'a revocation root was published to the registry',
  'hold.placed': 'revoking a subject placed a hold: screening refuses it for that tenant (or every tenant)',
  'hold.lifted': 'a hold was lifted by an officer, or by a KYC re-approval made after it',
  'kyc.updated': "a subject's KYC record changed (status, provider, reference; no personal data)",
  'kyc.webhook_rejected':
    'a provider webhook was refused (bad signature, stale, replayed): written by Custos 0.1',
  'kyc.webhook_ignored': 'a signed provider event was older than the decision in force and was not applied',
  'kyc.webhook_refusals': 'how many webhook deliveries one process refused in an interval, by reason',
  'sanctions.loaded': 'a sanctions or deny list version was loaded',
  'key.registered': 'a signing key was registered at start-up',
  'key.rotated': 'the signing key was rotated, with the overlap',
  'approval.requested': 'an officer asked for a guarded action (FOUR_EYES); it waits for a second officer',
  'approval.approved': 'a second officer approved a guarded action, which then ran as its requester',
  'approval.rejected': 'an officer rejected a guarded action',
  'approval.failed':
    'an approved action failed to run (its error); the approval waits again and can be retried',
  'bulk_revocation.started': 'a bulk revocation job was started (its targets, reason code and reason)',
  'bulk_revocation.finished': 'a bulk revocation job finished, with its counts',
  'emergency.paused': 'an officer turned the emergency stop on: no attestation or credential is issued',
  'emergency.unpaused': 'an admin turned the emergency stop off',
  'emergency.chain_synced':
    "the gatekeeper's own pause switch was set to follow the emergency stop (its transaction)",
  'tenant.created': 'an admin created a tenant',
  'api_key.created':
    'an admin (or custos admin bootstrap) created an API key (its id, role and tenant; never the secret)',
  'admin.bootstrapped': 'the first admin key was made with custos admin bootstrap',
  'api_key.revoked': 'an admin revoked an API key',
  'api_key.rotated': 'an admin rotated an API key: a new secret, the old one working until the overlap ends',
  'agent.configured': "an officer or admin changed an agent's configuration (owner tenant, access, quotas)",
  'agent_execution.authorised':
    'a confirmed ExecutionRequested passed the gate (caller compliant, agent active, access, quota): queued',
  'agent_execution.refused': 'an execution was refused at pickup or at claim time, with its reason code',
  'agent_execution.claimed':
    'an executor leased an execution (a claim after an expired lease says whose it was)',
  'agent_execution.released':
    'a claimed execution could not be checked again (the chain unreachable): back in the queue, with the error code',
  'agent_execution.result': "the claimant reported an execution's outcome and units (the output's SHA-256)",
  'audit.read': 'someone read audit data (the filters asked for, never the results)',
  'audit.denied': 'someone was refused audit data outside their tenants',
} as const;

export type AuditEventType = keyof typeof AUDIT_EVENT_TYPES;

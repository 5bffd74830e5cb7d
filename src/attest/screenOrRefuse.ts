import type { AuditEventInput } from '../audit/index.js';
import type { Database, GroupCommit } from '../db/index.js';
import { CustosError, withDatabase } from '../errors/index.js';
import { screenSubject, type Policy, type Screening } from '../screening/index.js';
import type { IssuanceEntry } from './issuanceLog.js';

/** What the audit log keeps of a decision: reason codes and list versions, never the personal data. */
export interface AuditedDecision {
  policy: string;
  passed: boolean;
  reasons: string[];
  listVersions: Screening['listVersions'];
  kycSource: Screening['kycSource'];
}

/** The policy called `name`, or UNKNOWN_POLICY listing the ones there are. */
export function policyNamed(policies: Map<string, Policy>, name: string): Policy {
  const policy = policies.get(name);
  if (!policy) {
    throw new CustosError('UNKNOWN_POLICY', `policy "${name}" is not defined`, {
      policies: [...policies.keys()],
    });
  }
  return policy;
}

/**
 * Screens `subject` against `policy`. A failure is audited (`screening.failed`) and thrown as SCREENING_FAILED with
 * its reasons; a pass returns the screening for the caller to issue and audit with what it issued.
 */
export async function screenOrRefuse(
  deps: { db: Database; log: GroupCommit<IssuanceEntry> },
  policy: Policy,
  request: { actor: string; tenantId: string; subject: string },
  now: Date,
): Promise<{ screening: Screening; decision: AuditedDecision }> {
  const screening = await withDatabase(() => screenSubject(deps.db, policy, request, now));
  const decision: AuditedDecision = {
    policy: policy.name,
    passed: screening.passed,
    reasons: screening.reasons.map((r) => r.code),
    listVersions: screening.listVersions,
    kycSource: screening.kycSource,
  };
  if (!screening.passed) {
    await withDatabase(() => deps.log.add({ audit: refusalAudit(request, decision) }));
    throw new CustosError('SCREENING_FAILED', `the subject does not satisfy policy ${policy.name}`, {
      reasons: screening.reasons,
    });
  }
  return { screening, decision };
}

/** The audit event of a refused decision. */
export function refusalAudit(
  request: { actor: string; tenantId: string; subject: string },
  decision: AuditedDecision,
): AuditEventInput {
  return {
    type: 'screening.failed',
    actor: request.actor,
    tenantId: request.tenantId,
    subject: request.subject,
    payload: { ...decision },
  };
}

/**
 * The refusal of a request whose subject an officer held (revoked) after it was screened and before its attestation
 * was committed: refused as screening would refuse it now. `refused` is its decision, failed for the hold.
 */
export function heldRefusal(decision: AuditedDecision): {
  error: CustosError;
  refused: AuditedDecision;
} {
  return {
    error: new CustosError('SCREENING_FAILED', `the subject does not satisfy policy ${decision.policy}`, {
      reasons: [
        {
          code: 'SUBJECT_HELD',
          message: 'an officer held the subject (it was revoked) after it was screened',
        },
      ],
    }),
    refused: { ...decision, passed: false, reasons: ['SUBJECT_HELD'] },
  };
}

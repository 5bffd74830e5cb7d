import type { Database } from '../db/index.js';
import { decide, type Decision, type SubjectProfile } from './decide.js';
import type { Policy } from './policies.js';
import { screeningLists, type ListVersion } from './sanctions/index.js';

export interface Screening extends Decision {
  policy: string;
  /** The list versions (content hashes) this decision consulted. */
  listVersions: ListVersion[];
  /** The KYC record's provider and reference, when there is one. */
  kycSource: { provider: string; reference: string | null } | null;
}

/** Gathers the subject's KYC record and list hits and applies the policy. */
export async function screenSubject(
  db: Database,
  policy: Policy,
  subject: string,
  now: Date,
): Promise<Screening> {
  const [kyc, lists] = await Promise.all([
    db.kycRecord.findUnique({ where: { subject } }),
    screeningLists(db, subject),
  ]);
  const profile: SubjectProfile = {
    kyc: kyc && {
      status: kyc.status,
      country: kyc.country,
      birthDate: kyc.birthDate,
      accredited: kyc.accredited,
      riskScore: kyc.riskScore,
    },
    listHits: lists.hits,
  };
  return {
    ...decide(policy, profile, now),
    policy: policy.name,
    listVersions: lists.versions,
    kycSource: kyc && { provider: kyc.provider, reference: kyc.reference },
  };
}

import type { Database } from '../db/index.js';
import { decide, type Decision } from './decide.js';
import type { Policy } from './policies.js';
import { screeningLists, type ListVersion } from './sanctions/index.js';

export interface Screening extends Decision {
  policy: string;
  /** The list versions (content hashes) this decision consulted. */
  listVersions: ListVersion[];
  /** The KYC record's provider and reference, when there is one. */
  kycSource: { provider: string; reference: string | null } | null;
}

interface KycRow {
  status: string;
  country: string | null;
  birth_date: Date | null;
  accredited: boolean;
  risk_score: number | null;
  provider: string;
  reference: string | null;
}

/** Gathers the subject's KYC record and list hits (two reads in parallel, on the hot path) and applies the policy. */
export async function screenSubject(
  db: Database,
  policy: Policy,
  subject: string,
  now: Date,
): Promise<Screening> {
  const [{ rows }, lists] = await Promise.all([
    db.pool.query<KycRow>(
      'SELECT status, country, birth_date, accredited, risk_score, provider, reference FROM kyc_records WHERE subject = $1',
      [subject],
    ),
    screeningLists(db, subject),
  ]);
  const kyc = rows[0];
  const profile = {
    kyc: kyc
      ? {
          status: kyc.status,
          country: kyc.country,
          birthDate: kyc.birth_date,
          accredited: kyc.accredited,
          riskScore: kyc.risk_score,
        }
      : null,
    listHits: lists.hits,
  };
  return {
    ...decide(policy, profile, now),
    policy: policy.name,
    listVersions: lists.versions,
    kycSource: kyc ? { provider: kyc.provider, reference: kyc.reference } : null,
  };
}

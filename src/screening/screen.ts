import type { Database } from '../db/index.js';
import { decide, type Decision, type SubjectProfile } from './decide.js';
import type { Policy } from './policies.js';
import type { ListVersion } from './sanctions/index.js';

export interface Screening extends Decision {
  policy: string;
  /** The list versions (content hashes) this decision consulted. */
  listVersions: ListVersion[];
  /** The KYC record's provider and reference, when there is one. */
  kycSource: { provider: string; reference: string | null } | null;
  /** The facts decided on: a zero-knowledge credential commits to them. Never audited or returned. */
  profile: SubjectProfile;
}

interface ProfileRow {
  status: string | null;
  country: string | null;
  birth_date: Date | null;
  accredited: boolean | null;
  risk_score: number | null;
  provider: string | null;
  reference: string | null;
  list_name: string | null;
  content_hash: string | null;
  entity: string | null;
  held: boolean;
}

/**
 * Everything a decision needs in one round trip (this is the hot path): the KYC record, repeated on one row per
 * active list version, with the list's entry for the subject when there is one.
 */
const PROFILE_QUERY = `
  SELECT k.status, k.country, k.birth_date, k.accredited, k.risk_score, k.provider, k.reference,
         l.name AS list_name, l.content_hash, a.entity,
         EXISTS (SELECT 1 FROM holds h WHERE h.subject = s.subject AND h.lifted_at IS NULL
                  AND (h.tenant_id IS NULL OR h.tenant_id = $2::uuid)) AS held
  FROM (SELECT $1::text AS subject) s
  LEFT JOIN kyc_records k ON k.subject = s.subject
  LEFT JOIN sanctions_lists l ON l.active
  LEFT JOIN sanctioned_addresses a ON a.list_id = l.id AND a.address = lower(s.subject)
  ORDER BY l.name`;

/** Gathers the subject's KYC record, list hits and holds (for the asking tenant) and applies the policy. */
export async function screenSubject(
  db: Database,
  policy: Policy,
  request: { subject: string; tenantId: string },
  now: Date,
): Promise<Screening> {
  const { rows } = await db.pool.query<ProfileRow>(PROFILE_QUERY, [request.subject, request.tenantId]);
  const first = rows[0]!;
  const lists = rows.filter((r) => r.list_name !== null);
  const profile: SubjectProfile = {
    kyc:
      first.status === null
        ? null
        : {
            status: first.status,
            country: first.country,
            birthDate: first.birth_date,
            accredited: first.accredited ?? false,
            riskScore: first.risk_score,
          },
    listHits: lists.filter((r) => r.entity !== null).map((r) => ({ list: r.list_name!, entity: r.entity! })),
    held: first.held,
  };
  return {
    ...decide(policy, profile, now),
    profile,
    policy: policy.name,
    listVersions: lists.map((r) => ({ name: r.list_name!, contentHash: r.content_hash! })),
    kycSource: first.status === null ? null : { provider: first.provider!, reference: first.reference },
  };
}

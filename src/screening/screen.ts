import type pg from 'pg';
import { Batcher, type Database } from '../db/index.js';
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
 * Everything a decision needs (this is the hot path), for a batch of requests in one round trip: per request
 * (`i`, from 1), the KYC record, repeated on one row per active list version, with the list's entry for the subject
 * when there is one. A named statement with one text for any batch size: each pooled connection parses and plans
 * it once instead of on every request.
 */
const PROFILES_QUERY = {
  name: 'screening-profiles',
  text: `
  SELECT s.i::int AS i, k.status, k.country, k.birth_date, k.accredited, k.risk_score, k.provider, k.reference,
         l.name AS list_name, l.content_hash, a.entity,
         EXISTS (SELECT 1 FROM holds h WHERE h.subject = s.subject AND h.lifted_at IS NULL
                  AND (h.tenant_id IS NULL OR h.tenant_id = s.tenant_id)) AS held
  FROM unnest($1::text[], $2::uuid[]) WITH ORDINALITY AS s(subject, tenant_id, i)
  LEFT JOIN kyc_records k ON k.subject = s.subject
  LEFT JOIN sanctions_lists l ON l.active
  LEFT JOIN sanctioned_addresses a ON a.list_id = l.id AND a.address = lower(s.subject)
  ORDER BY s.i, l.name`,
};

interface ProfileRequest {
  subject: string;
  tenantId: string;
}

async function readProfiles(pool: pg.Pool, requests: ProfileRequest[]): Promise<ProfileRow[][]> {
  const { rows } = await pool.query<ProfileRow & { i: number }>({
    ...PROFILES_QUERY,
    values: [requests.map((r) => r.subject), requests.map((r) => r.tenantId)],
  });
  const profiles = requests.map((): ProfileRow[] => []);
  for (const row of rows) profiles[row.i - 1]!.push(row);
  return profiles;
}

/**
 * One reader per pool: screenings that arrive while a read is under way share the next one. Each still reads
 * after it was asked for, so a decision never uses data older than its request.
 */
const readers = new WeakMap<pg.Pool, Batcher<ProfileRequest, ProfileRow[]>>();

function profileRows(pool: pg.Pool, request: ProfileRequest): Promise<ProfileRow[]> {
  let reader = readers.get(pool);
  if (!reader) {
    reader = new Batcher((requests) => readProfiles(pool, requests));
    readers.set(pool, reader);
  }
  return reader.add(request);
}

/** Gathers the subject's KYC record, list hits and holds (for the asking tenant) and applies the policy. */
export async function screenSubject(
  db: Database,
  policy: Policy,
  request: { subject: string; tenantId: string },
  now: Date,
): Promise<Screening> {
  const rows = await profileRows(db.pool, { subject: request.subject, tenantId: request.tenantId });
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

import { setKycRecord } from '../../src/screening/index.js';
import type { Database } from '../../src/db/index.js';

/** A KYC record that passes kyc-basic: approved, an allowed country, an adult, low risk. */
export const APPROVED_KYC = {
  status: 'approved',
  country: 'DE',
  birthDate: '1990-01-01',
  riskScore: 10,
  provider: 'test',
} as const;

/** Stores {@link APPROVED_KYC} for `subject` directly (no API round trip). */
export function approveSubject(db: Database, subject: string): Promise<unknown> {
  return setKycRecord(db, { subject, ...APPROVED_KYC, accredited: false }, 'test');
}

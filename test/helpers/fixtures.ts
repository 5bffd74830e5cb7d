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
  return setKycRecord(
    db,
    { subject, ...APPROVED_KYC, accredited: false },
    { by: 'officer', actor: 'test', scope: 'all-tenants' },
  );
}

/**
 * Anvil's second default account: tests send their own transactions from it, so the service's operator (the first
 * account) keeps its nonces to itself.
 */
export const ANVIL_SECOND_PRIVATE_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

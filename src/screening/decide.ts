import type { KycStatus, Policy } from './policies.js';

/** The screened facts about a subject. Personal data stays here; decisions carry only reason codes. */
export interface SubjectProfile {
  kyc: {
    status: KycStatus | string;
    country: string | null;
    birthDate: Date | null;
    accredited: boolean;
    riskScore: number | null;
  } | null;
  /** Sanctions and deny-list entries that name the subject. */
  listHits: { list: string; entity: string }[];
  /** An officer's hold (placed by revoking the subject) applies to this request's tenant. */
  held: boolean;
}

export type ReasonCode =
  | 'SUBJECT_HELD'
  | 'KYC_MISSING'
  | 'KYC_STATUS'
  | 'SANCTIONED'
  | 'JURISDICTION_UNKNOWN'
  | 'JURISDICTION_DENIED'
  | 'JURISDICTION_NOT_ALLOWED'
  | 'AGE_UNKNOWN'
  | 'UNDERAGE'
  | 'NOT_ACCREDITED'
  | 'RISK_UNKNOWN'
  | 'RISK_TOO_HIGH';

export interface Reason {
  code: ReasonCode;
  message: string;
}

export interface Decision {
  passed: boolean;
  reasons: Reason[];
}

/** Full years between `birthDate` and `now`, in UTC. */
export function ageOn(birthDate: Date, now: Date): number {
  const age = now.getUTCFullYear() - birthDate.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < birthDate.getUTCMonth() ||
    (now.getUTCMonth() === birthDate.getUTCMonth() && now.getUTCDate() < birthDate.getUTCDate());
  return beforeBirthday ? age - 1 : age;
}

/**
 * Applies a policy to a subject's profile. Every rule is evaluated, so the reasons list all that failed; missing
 * facts fail closed. Messages never repeat the personal data (country, age) they were decided on.
 */
export function decide(policy: Policy, profile: SubjectProfile, now: Date): Decision {
  const reasons: Reason[] = [];
  const fail = (code: ReasonCode, message: string) => reasons.push({ code, message });

  if (profile.held) {
    fail(
      'SUBJECT_HELD',
      'an officer holds the subject (it was revoked) until the hold is lifted or KYC re-approved',
    );
  }
  for (const hit of profile.listHits) fail('SANCTIONED', `the subject is listed on ${hit.list}`);

  const kyc = profile.kyc;
  if (!kyc) {
    fail('KYC_MISSING', 'no KYC record exists for the subject');
    return { passed: false, reasons };
  }
  if (kyc.status !== policy.requiredKycStatus) {
    fail('KYC_STATUS', `KYC status is ${kyc.status}, the policy requires ${policy.requiredKycStatus}`);
  }

  if (policy.allowedJurisdictions || policy.deniedJurisdictions.length) {
    if (!kyc.country) fail('JURISDICTION_UNKNOWN', "the subject's jurisdiction is not known");
    else if (policy.deniedJurisdictions.includes(kyc.country)) {
      fail('JURISDICTION_DENIED', "the subject's jurisdiction is denied by this policy");
    } else if (policy.allowedJurisdictions && !policy.allowedJurisdictions.includes(kyc.country)) {
      fail('JURISDICTION_NOT_ALLOWED', "the subject's jurisdiction is not among those this policy allows");
    }
  }

  if (policy.minimumAge !== undefined) {
    if (!kyc.birthDate) fail('AGE_UNKNOWN', "the subject's age is not known");
    else if (ageOn(kyc.birthDate, now) < policy.minimumAge) {
      fail('UNDERAGE', `the subject is younger than ${policy.minimumAge}`);
    }
  }

  if (policy.requireAccredited && !kyc.accredited)
    fail('NOT_ACCREDITED', 'the subject is not an accredited investor');

  if (policy.maxRiskScore !== undefined) {
    if (kyc.riskScore === null) fail('RISK_UNKNOWN', "the subject's risk score is not known");
    else if (kyc.riskScore > policy.maxRiskScore) {
      fail('RISK_TOO_HIGH', `the subject's risk score is above the policy maximum of ${policy.maxRiskScore}`);
    }
  }
  return { passed: reasons.length === 0, reasons };
}

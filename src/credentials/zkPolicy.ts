import countries from 'i18n-iso-countries';
import { policyIdOf } from '../chain/index.js';
import { CustosError } from '../errors/index.js';
import type { Policy, SubjectProfile } from '../screening/index.js';
import {
  DENIED_SLOTS,
  policyHash,
  policyTagOf,
  ymdOf,
  type CredentialAttributes,
  type ZkPolicy,
} from '../zk/index.js';

/** A risk score (0..100) is its own tier in the circuit; an unknown score is the highest tier. */
const UNKNOWN_RISK_TIER = 255;

/** The ISO 3166-1 numeric code of an alpha-2 code: what the circuit compares. */
export function countryNumber(alpha2: string): number {
  const numeric = countries.alpha2ToNumeric(alpha2);
  if (!numeric) throw new Error(`${alpha2} has no ISO 3166-1 numeric code`);
  return Number(numeric);
}

/**
 * A policy's rules as the circuit checks them. The circuit can deny up to {@link DENIED_SLOTS} countries but has no
 * allow-list: a policy with `allowedJurisdictions`, or more denied ones, has no zero-knowledge form.
 */
export function zkPolicyOf(policy: Policy): ZkPolicy {
  const unsupported = zkUnsupportedReason(policy);
  if (unsupported) {
    throw new CustosError(
      'ZK_POLICY_UNSUPPORTED',
      `policy ${policy.name} ${unsupported}; use format "eip712"`,
    );
  }
  return {
    policyTag: policyTagOf(policyIdOf(policy.name)),
    minAge: policy.minimumAge ?? 0,
    requireAccredited: policy.requireAccredited,
    maxRiskTier: policy.maxRiskScore ?? UNKNOWN_RISK_TIER,
    deniedCountries: policy.deniedJurisdictions.map(countryNumber),
  };
}

/** The hash the gatekeeper must hold for `policy`'s proofs; undefined when the policy has no zero-knowledge form. */
export function zkPolicyHashOf(policy: Policy): bigint | undefined {
  return zkUnsupportedReason(policy) ? undefined : policyHash(zkPolicyOf(policy));
}

export function zkUnsupportedReason(policy: Policy): string | undefined {
  if (policy.allowedJurisdictions) return 'allows listed jurisdictions only, which the circuit cannot check';
  if (policy.deniedJurisdictions.length > DENIED_SLOTS) {
    return `denies more than ${DENIED_SLOTS} jurisdictions, the most the circuit checks`;
  }
  return undefined;
}

/**
 * The screened facts a credential commits to, in the circuit's encoding. The circuit refuses a country of 0. An
 * unknown birth date is 0: screening only lets it through for a policy without a minimum age, and the credential
 * proves only under that policy (its leaf commits to the policy tag).
 */
export function credentialAttributesOf(profile: SubjectProfile): CredentialAttributes {
  const kyc = profile.kyc;
  if (!kyc?.country) {
    throw new CustosError(
      'SCREENING_FAILED',
      "a zero-knowledge credential needs the subject's jurisdiction, which is not known",
      { reasons: [{ code: 'JURISDICTION_UNKNOWN', message: "the subject's jurisdiction is not known" }] },
    );
  }
  const birth = kyc.birthDate;
  return {
    country: countryNumber(kyc.country),
    birthYmd: birth ? ymdOf(Math.floor(birth.getTime() / 1000)) : 0,
    accredited: kyc.accredited,
    riskTier: kyc.riskScore ?? UNKNOWN_RISK_TIER,
  };
}

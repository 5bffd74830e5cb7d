import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyIdOf } from '../../src/chain/index.js';
import { countryNumber, zkPolicyHashOf, zkPolicyOf } from '../../src/credentials/index.js';
import { credentialAttributesOf } from '../../src/credentials/zkPolicy.js';
import { CustosError } from '../../src/errors/index.js';
import { loadPolicies, type Policy } from '../../src/screening/index.js';
import { policyHash, policyTagOf } from '../../src/zk/index.js';

const policies = loadPolicies();
const kycBasic = policies.get('kyc-basic')!;

describe('zero-knowledge form of a policy', () => {
  it("maps kyc-basic's rules to the circuit's parameters", () => {
    assert.deepEqual(zkPolicyOf(kycBasic), {
      policyTag: policyTagOf(policyIdOf('kyc-basic')),
      minAge: 18,
      requireAccredited: false,
      maxRiskTier: 70,
      deniedCountries: [192, 364, 408, 760], // CU, IR, KP, SY
    });
    assert.equal(zkPolicyHashOf(kycBasic), policyHash(zkPolicyOf(kycBasic)));
    assert.equal(zkPolicyOf(policies.get('accredited-investor')!).requireAccredited, true);
  });

  it('maps ISO 3166-1 alpha-2 codes to their numeric codes', () => {
    assert.deepEqual(['DE', 'US', 'JP', 'BR'].map(countryNumber), [276, 840, 392, 76]);
    assert.throws(() => countryNumber('ZZ'), /no ISO 3166-1 numeric code/);
  });

  it('refuses policies the circuit cannot express', () => {
    const allowList: Policy = { ...kycBasic, name: 'eu-only', allowedJurisdictions: ['DE', 'FR'] };
    const longDenyList: Policy = {
      ...kycBasic,
      name: 'many-denied',
      deniedJurisdictions: ['CU', 'IR', 'KP', 'SY', 'RU', 'BY', 'VE', 'MM', 'AF'],
    };
    for (const policy of [allowList, longDenyList]) {
      assert.throws(
        () => zkPolicyOf(policy),
        (error: CustosError) => error.code === 'ZK_POLICY_UNSUPPORTED' && error.status === 422,
      );
      assert.equal(zkPolicyHashOf(policy), undefined);
    }
  });
});

describe('credential attributes from a screened profile', () => {
  const kyc = {
    status: 'approved',
    country: 'DE',
    birthDate: new Date('1960-02-29T00:00:00Z'),
    accredited: true,
    riskScore: 12,
  };

  it('encodes country, birth date, accreditation and risk as the circuit reads them', () => {
    assert.deepEqual(credentialAttributesOf({ kyc, listHits: [], held: false }), {
      country: 276,
      birthYmd: 19_600_229,
      accredited: true,
      riskTier: 12,
    });
  });

  // An unknown birth date is 0, which would pass any minimum age: harmless, because screening refuses it for a policy
  // with a minimum age and a credential proves only under its own policy (the leaf commits to the policy tag).
  it('encodes an unknown risk as tier 255 and an unknown birth date as 0', () => {
    const attributes = credentialAttributesOf({
      kyc: { ...kyc, birthDate: null, riskScore: null },
      listHits: [],
      held: false,
    });
    assert.equal(attributes.riskTier, 255);
    assert.equal(attributes.birthYmd, 0);
  });

  it('refuses a subject without a known country (the circuit refuses country 0)', () => {
    assert.throws(
      () => credentialAttributesOf({ kyc: { ...kyc, country: null }, listHits: [], held: false }),
      (error: CustosError) => error.code === 'SCREENING_FAILED',
    );
  });
});

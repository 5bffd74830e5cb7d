import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isIso3166Alpha2 } from '@custos/sdk/api';
import { ageOn, decide, loadPolicies, type SubjectProfile } from '../../src/screening/index.js';

const NOW = new Date('2026-11-22T12:00:00Z');
const policies = loadPolicies();
const kycBasic = policies.get('kyc-basic')!;
const accredited = policies.get('accredited-investor')!;

const clean = (): SubjectProfile => ({
  kyc: {
    status: 'approved',
    country: 'DE',
    birthDate: new Date('1990-05-01'),
    accredited: false,
    riskScore: 20,
  },
  listHits: [],
  held: false,
});
const codes = (profile: SubjectProfile, policy = kycBasic) =>
  decide(policy, profile, NOW).reasons.map((r) => r.code);

describe('screening decisions', () => {
  it('passes a clean, approved adult', () => {
    assert.deepEqual(decide(kycBasic, clean(), NOW), { passed: true, reasons: [] });
  });

  it('fails closed without a KYC record', () => {
    assert.deepEqual(codes({ kyc: null, listHits: [], held: false }), ['KYC_MISSING']);
  });

  it('names a sanctions hit with the list, whatever else passes', () => {
    const decision = decide(kycBasic, { ...clean(), listHits: [{ list: 'ofac-sdn', entity: 'X' }] }, NOW);
    assert.equal(decision.passed, false);
    assert.deepEqual(decision.reasons, [
      { code: 'SANCTIONED', message: 'the subject is listed on ofac-sdn' },
    ]);
  });

  const failing: [string, (p: SubjectProfile) => void, string][] = [
    ['a pending KYC', (p) => (p.kyc!.status = 'pending'), 'KYC_STATUS'],
    ['a denied jurisdiction', (p) => (p.kyc!.country = 'KP'), 'JURISDICTION_DENIED'],
    ['an unknown jurisdiction', (p) => (p.kyc!.country = null), 'JURISDICTION_UNKNOWN'],
    ['an unknown age', (p) => (p.kyc!.birthDate = null), 'AGE_UNKNOWN'],
    ['a minor', (p) => (p.kyc!.birthDate = new Date('2008-11-23')), 'UNDERAGE'],
    ['a high risk score', (p) => (p.kyc!.riskScore = 71), 'RISK_TOO_HIGH'],
    ['an unknown risk score', (p) => (p.kyc!.riskScore = null), 'RISK_UNKNOWN'],
  ];
  for (const [name, mutate, code] of failing) {
    it(`fails ${name} with ${code}`, () => {
      const profile = clean();
      mutate(profile);
      assert.deepEqual(codes(profile), [code]);
    });
  }

  it('lists every failed rule, and never repeats the personal data', () => {
    const profile = clean();
    profile.kyc = {
      status: 'rejected',
      country: 'IR',
      birthDate: new Date('2010-01-01'),
      accredited: false,
      riskScore: 99,
    };
    const decision = decide(kycBasic, profile, NOW);
    assert.deepEqual(
      decision.reasons.map((r) => r.code),
      ['KYC_STATUS', 'JURISDICTION_DENIED', 'UNDERAGE', 'RISK_TOO_HIGH'],
    );
    assert.ok(!JSON.stringify(decision).includes('IR"'), 'country not echoed');
    assert.ok(!JSON.stringify(decision).includes('2010'), 'birth date not echoed');
  });

  it('requires accreditation and a lower risk for accredited-investor', () => {
    assert.deepEqual(codes(clean(), accredited), ['NOT_ACCREDITED']);
    const profile = clean();
    profile.kyc!.accredited = true;
    profile.kyc!.riskScore = 41;
    assert.deepEqual(codes(profile, accredited), ['RISK_TOO_HIGH']);
  });

  it('an allow-list admits only its jurisdictions', () => {
    const euOnly = { ...kycBasic, allowedJurisdictions: ['DE', 'FR'] };
    assert.deepEqual(codes(clean(), euOnly), []);
    const profile = clean();
    profile.kyc!.country = 'US';
    assert.deepEqual(codes(profile, euOnly), ['JURISDICTION_NOT_ALLOWED']);
  });

  it('counts age in full years, turning 18 on the birthday', () => {
    assert.equal(ageOn(new Date('2008-11-22'), NOW), 18);
    assert.equal(ageOn(new Date('2008-11-23'), NOW), 17);
  });

  it('knows ISO 3166-1 alpha-2 codes', () => {
    for (const code of ['DE', 'US', 'KP', 'CH']) assert.ok(isIso3166Alpha2(code), code);
    for (const code of ['XX', 'ZZ', 'EU', 'de', 'DEU', '']) assert.ok(!isIso3166Alpha2(code), code);
  });
});

describe('policies file', () => {
  const write = (content: unknown) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'custos-policies-')), 'policies.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const base = { ...kycBasic, deniedJurisdictions: ['KP'] };

  it('ships kyc-basic with the sanctioned jurisdictions denied', () => {
    assert.deepEqual(kycBasic.deniedJurisdictions, ['CU', 'IR', 'KP', 'SY']);
    assert.equal(kycBasic.requiredKycStatus, 'approved');
  });

  it('names the file, the field and the problem', () => {
    assert.throws(() => loadPolicies(write('{')), /policies file .*policies\.json: /);
    assert.throws(
      () => loadPolicies(write({ policies: [{ ...base, deniedJurisdictions: ['XX'] }] })),
      /policies\.0\.deniedJurisdictions\.0 is not an ISO 3166-1 alpha-2 country code/,
    );
    assert.throws(() => loadPolicies(write({ policies: [{ ...base, maxRisk: 3 }] })), /Unrecognized key/);
    assert.throws(() => loadPolicies(write({ policies: [base, base] })), /policy kyc-basic is defined twice/);
  });
});

// Screening: policies over a subject's KYC record and the sanctions and deny lists.
export { ageOn, decide, type Decision, type Reason, type ReasonCode, type SubjectProfile } from './decide.js';
export { isIso3166Alpha2 } from './jurisdiction.js';
export {
  kycInputSchema,
  setKycRecord,
  signWebhook,
  subjectAddress,
  verifyWebhook,
  type KycInput,
  type SetKycResult,
  type WebhookVerdict,
} from './kyc.js';
export { loadPolicies, type KycStatus, type Policy } from './policies.js';
export { screenSubject, type Screening } from './screen.js';
export * from './sanctions/index.js';

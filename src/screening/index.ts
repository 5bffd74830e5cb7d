// Screening: policies over a subject's KYC record and the sanctions and deny lists.
export { ageOn, decide, type Decision, type Reason, type ReasonCode, type SubjectProfile } from './decide.js';
export {
  kycInputSchema,
  setKycRecord,
  subjectAddress,
  type KycDecision,
  type KycInput,
  type SetKycResult,
} from './kyc.js';
export {
  guardAgainstReplay,
  signWebhook,
  verifyWebhook,
  type WebhookRefusal,
  type WebhookVerdict,
} from './webhook.js';
export {
  holdView,
  liftHolds,
  listHolds,
  lockAndFindHeld,
  lockSubjectForHold,
  placeHold,
  type HoldView,
  type WriteScope,
} from './holds.js';
export { loadPolicies, type KycStatus, type Policy } from './policies.js';
export { screenSubject, type Screening } from './screen.js';
export * from './sanctions/index.js';

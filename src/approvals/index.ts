// Four-eyes approvals of officers' drastic actions (FOUR_EYES).
export { Approvals, type ApprovalView, type Decider, type Requester } from './approvals.js';

export { EmergencyStop, type EmergencyRequest, type EmergencyStateView } from './emergencyStop.js';
export { assertIssuingOpen } from './issuingGuard.js';

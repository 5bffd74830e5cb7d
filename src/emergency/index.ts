export { EmergencyStop, type EmergencyRequest, type EmergencyStateView } from './emergencyStop.js';

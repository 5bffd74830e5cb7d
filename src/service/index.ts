// Start-up: the composition root that wires every part together.
export { type DevCredentials } from './devCredentials.js';
export { replicaOfRunningInstance } from './replica.js';
export { startService, type RunningService, type StartOptions } from './start.js';

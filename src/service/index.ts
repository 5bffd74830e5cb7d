// Start-up: the composition root that wires every part together.
export { type DevCredentials } from './devCredentials.js';
export { startService, type RunningService } from './start.js';

// Configuration from the environment: validated once at start-up.
export { describeConfiguration } from './describe.js';
export { ConfigError, envSchema, KNOWN_VARIABLES, loadEnv, workerCount, type Env } from './env.js';

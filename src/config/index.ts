// Configuration from the environment: validated once at start-up.
export { ConfigError, loadEnv, type Env } from './env.js';

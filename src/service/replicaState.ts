import type { Logger } from 'pino';
import { PgRateLimiter, type ApiKeyVerifier, type RateLimiter } from '../auth/index.js';
import { CHANNELS, ClusterEvents } from '../cluster/index.js';
import type { Database } from '../db/index.js';
import type { EmergencyStop } from '../emergency/index.js';
import type { KeyManager } from '../keys/index.js';

/**
 * The fallback for a missed notification: the active key is re-read this often, so a rotation made through any
 * replica applies on every other within this bound even while their listening connections are down.
 */
export const SHARED_STATE_REFRESH_MS = 5_000;

export interface ReplicaState {
  rateLimiter: RateLimiter;
  stop(): Promise<void>;
}

/**
 * Keeps this process in step with every other replica on the same PostgreSQL: the active signing key follows the
 * database (notified on change, re-read every SHARED_STATE_REFRESH_MS), a changed API key leaves the verifier's
 * cache on notification (its 10 s cache stays the documented bound), the emergency stop follows the database like
 * the active key, and rate limits live in the database. Holds
 * need nothing here: screening reads them on every request.
 */
export async function startReplicaState(params: {
  databaseUrl: string;
  db: Database;
  keys: KeyManager;
  apiKeys: ApiKeyVerifier;
  emergency: EmergencyStop;
  logger: Logger;
}): Promise<ReplicaState> {
  const { keys, apiKeys, emergency, logger } = params;
  const events = await ClusterEvents.start({ databaseUrl: params.databaseUrl, logger });
  events.watch(CHANNELS.signingKeys, {
    changed: () => keys.refresh(),
    resync: () => keys.refresh(),
    resyncEveryMs: SHARED_STATE_REFRESH_MS,
  });
  events.watch(CHANNELS.apiKeys, {
    changed: (keyId) => apiKeys.forget(keyId),
    resync: () => apiKeys.forgetAll(),
  });
  events.watch(CHANNELS.emergency, {
    changed: async () => void (await emergency.refresh()),
    resync: async () => void (await emergency.refresh()),
    resyncEveryMs: SHARED_STATE_REFRESH_MS,
  });
  const rateLimiter = new PgRateLimiter(params.db.pool, {
    onDegraded: (error) =>
      logger.warn(
        { err: error },
        'rate limits cannot reach PostgreSQL: each process limits on its own until it is back',
      ),
  });
  return {
    rateLimiter,
    stop: async () => {
      rateLimiter.close();
      await events.close();
    },
  };
}

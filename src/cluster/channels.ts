/**
 * A PostgreSQL notification channel and what its payload means. Adding a kind of shared state (a pause switch, a
 * setting) is one channel here, a trigger that notifies it (see the `custos_notify_change` trigger function in the
 * migrations), and a watcher that re-reads the state (src/service/replicaState.ts).
 */
export interface Channel<T> {
  /** The channel's name in LISTEN/NOTIFY: a lower-case identifier. */
  readonly name: string;
  parse(payload: string): T;
}

function channel<T>(name: string, parse: (payload: string) => T): Channel<T> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid channel name ${name}`);
  return { name, parse };
}

export const CHANNELS = {
  /** A signing_keys row was inserted, updated or deleted (a key staged, made active, retired): its address. */
  signingKeys: channel('custos_signing_keys', (address) => address),
  /** An api_keys row was updated or deleted (revoked, expiry or rate changed): its id. */
  apiKeys: channel('custos_api_keys', (id) => id),
  /** The emergency stop was turned on or off: whether it is on now. */
  emergency: channel('custos_emergency', (paused) => paused === 'true'),
} as const;

import type pg from 'pg';
import { CustosError } from '../errors/index.js';

/**
 * Refuses, inside the transaction that would make an attestation, a credential or a delegation durable, when the
 * emergency stop is on. The route's own check only covers requests that arrive after the stop; one already under
 * way (a custodial proof takes seconds, a KMS signature tens of milliseconds) reaches its commit here. The shared
 * row lock orders the two: pausing (FOR UPDATE) waits for issuing transactions already holding it, and every later
 * one reads the stop as committed.
 */
export async function assertIssuingOpen(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ paused: boolean }>(
    'SELECT paused FROM emergency_state WHERE id FOR SHARE',
  );
  if (rows[0]?.paused) {
    throw new CustosError(
      'PAUSED',
      'the emergency stop was turned on while this was being issued: nothing was issued',
    );
  }
}

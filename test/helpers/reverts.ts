import assert from 'node:assert/strict';
import { describeRevert } from '../../src/chain/index.js';

/** The name and arguments of the custom error a contract call reverts with (`DelegationRevoked(0x…)`). */
export async function revertOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return describeRevert((error as { data?: unknown }).data) ?? String(error);
  }
  return assert.fail('the call did not revert');
}

import type { attestedAction } from '@custos/sdk/api';
import { dataSlice, keccak256 } from 'ethers';
import type { z } from 'zod';
import type { AttestedAction } from '../issuer/index.js';

/**
 * The call an action attestation binds, from what the caller sent: `{ target, selector, argsHash }` as it is, or
 * `{ target, calldata }` split into its selector (the first 4 bytes) and the keccak256 of the rest (the ABI-encoded
 * arguments). Both arrive validated and lower-case.
 */
export function resolveAction(action: z.output<typeof attestedAction>): AttestedAction {
  if ('calldata' in action) {
    return {
      target: action.target,
      selector: dataSlice(action.calldata, 0, 4),
      argsHash: keccak256(dataSlice(action.calldata, 4)),
    };
  }
  return action;
}

/** Whether two bound calls are the same call. */
export function sameAction(a: AttestedAction | undefined, b: AttestedAction | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.target.toLowerCase() === b.target.toLowerCase() &&
    a.selector === b.selector &&
    a.argsHash === b.argsHash
  );
}

// A contract's refusal, named: the custom error a Custos contract (or the dApp's own) reverted with. The ethers and
// viem helpers decode with their library against custosErrorsAbi and the contract's ABI; this module stays free of
// both.
import { custosErrorsAbi } from '@custos/contracts';
import type { Hex } from './args.js';

/** A revert decoded to its custom error: `errorName` is e.g. `AttestationExpired`, `args` its arguments. */
export class CustosRevertError extends Error {
  constructor(
    readonly errorName: string,
    readonly args: readonly unknown[],
    /** The raw revert data: selector and ABI-encoded arguments. */
    readonly data: Hex,
    options?: { cause?: unknown },
  ) {
    super(`${errorName}(${args.map(String).join(', ')})`, options);
    this.name = 'CustosRevertError';
  }
}

type AbiItem = {
  readonly type: string;
  readonly name?: string;
  readonly inputs?: readonly { type: string }[];
};

/**
 * `abi` with every Custos custom error it lacks: a gatekeeper error bubbles up through a dApp's contract, whose ABI
 * does not declare it (the cause of `unknown custom error`).
 */
export function withCustosErrors<const T extends readonly AbiItem[]>(
  abi: T,
): readonly [...T, ...typeof custosErrorsAbi] {
  const signature = (item: AbiItem) => `${item.name}(${(item.inputs ?? []).map((i) => i.type).join(',')})`;
  const declared = new Set(abi.filter((item) => item.type === 'error').map(signature));
  const missing = custosErrorsAbi.filter((item) => !declared.has(signature(item)));
  return [...abi, ...missing] as unknown as readonly [...T, ...typeof custosErrorsAbi];
}

/**
 * The revert data inside an error thrown by ethers (`data`, also nested in `info.error`) or viem (`raw` on
 * ContractFunctionRevertedError, `data` on RPC errors), following `cause` chains. Undefined when there is none (a
 * revert without reason, a network error).
 */
export function revertDataOf(error: unknown, depth = 0): Hex | undefined {
  if (!error || typeof error !== 'object' || depth > 8) return undefined;
  const fields = error as Record<string, unknown>;
  for (const key of ['raw', 'data']) {
    const value = fields[key];
    if (typeof value === 'string' && /^0x[0-9a-fA-F]{8}/.test(value)) return value as Hex;
  }
  for (const key of ['cause', 'error', 'info']) {
    const found = revertDataOf(fields[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

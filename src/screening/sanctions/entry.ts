import { isAddress } from 'ethers';

/** One listed EVM address; `entity` names who it belongs to (a name, or the list's label). */
export interface ListedAddress {
  address: string;
  entity: string;
}

/** Lower-case 0x address, or undefined for anything that is not an EVM address (Bitcoin, Monero, ...). */
export function evmAddress(candidate: string): string | undefined {
  const trimmed = candidate.trim();
  return /^0x[0-9a-fA-F]{40}$/.test(trimmed) && isAddress(trimmed.toLowerCase())
    ? trimmed.toLowerCase()
    : undefined;
}

/** Keeps the first entry per address. */
export function uniqueByAddress(entries: ListedAddress[]): ListedAddress[] {
  const seen = new Map<string, ListedAddress>();
  for (const entry of entries) if (!seen.has(entry.address)) seen.set(entry.address, entry);
  return [...seen.values()];
}

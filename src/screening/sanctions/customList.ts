import { evmAddress, uniqueByAddress, type ListedAddress } from './entry.js';

/**
 * A custom deny list: one `address[,label]` per line; blank lines and `#` comments are skipped. Any line that is
 * not an EVM address stops the load with its line number, so a typo never silently shortens the list.
 */
export function parseCustomList(content: string, listName: string): ListedAddress[] {
  const entries: ListedAddress[] = [];
  for (const [index, raw] of content.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [candidate, ...label] = line.split(',');
    const address = evmAddress(candidate!);
    if (!address) throw new Error(`line ${index + 1}: "${candidate}" is not an EVM address`);
    entries.push({ address, entity: label.join(',').trim() || listName });
  }
  return uniqueByAddress(entries);
}

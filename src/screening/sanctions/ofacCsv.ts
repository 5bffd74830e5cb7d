import { parse } from 'csv-parse/sync';
import { evmAddress, uniqueByAddress, type ListedAddress } from './entry.js';

/** The columns of OFAC's legacy SDN.CSV (no header row): the remarks column carries digital currency addresses. */
const NAME_COLUMN = 1;
const REMARKS_COLUMN = 11;
const DIGITAL_CURRENCY = /Digital Currency Address - ([A-Z0-9]+) ([^;\s]+)/g;

/** Reads OFAC's SDN.CSV and returns the EVM addresses listed in its "Digital Currency Address - XXX" remarks. */
export function parseOfacSdnCsv(content: string): ListedAddress[] {
  const rows = parse(content, {
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
  }) as string[][];
  const entries: ListedAddress[] = [];
  for (const [index, row] of rows.entries()) {
    if (row.length <= REMARKS_COLUMN) {
      if (row.length === 1 && row[0]!.trim() === '\u001a') continue; // OFAC files end with a DOS EOF marker
      throw new Error(`SDN CSV row ${index + 1} has ${row.length} columns, expected 12`);
    }
    for (const match of row[REMARKS_COLUMN]!.matchAll(DIGITAL_CURRENCY)) {
      // Remarks end with a full stop, which can cling to the last address.
      const address = evmAddress(match[2]!.replace(/\.$/, ''));
      if (address) entries.push({ address, entity: row[NAME_COLUMN]!.trim() });
    }
  }
  return uniqueByAddress(entries);
}

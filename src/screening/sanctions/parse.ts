import { parseCustomList } from './customList.js';
import type { ListedAddress } from './entry.js';
import { parseOfacSdnCsv } from './ofacCsv.js';
import { parseOfacSdnXml } from './ofacXml.js';

export const LIST_FORMATS = ['ofac-sdn-csv', 'ofac-sdn-xml', 'custom'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** Recognises the format from the content: XML, OFAC's 12-column SDN CSV, or a custom one-address-per-line list. */
export function detectListFormat(content: string): ListFormat {
  const start = content.trimStart();
  if (start.startsWith('<')) return 'ofac-sdn-xml';
  const firstLine = start.split(/\r?\n/, 1)[0] ?? '';
  return /^\d+,/.test(firstLine) && firstLine.split(',').length >= 12 ? 'ofac-sdn-csv' : 'custom';
}

export function parseList(format: ListFormat, content: string, listName: string): ListedAddress[] {
  switch (format) {
    case 'ofac-sdn-csv':
      return parseOfacSdnCsv(content);
    case 'ofac-sdn-xml':
      return parseOfacSdnXml(content);
    case 'custom':
      return parseCustomList(content, listName);
  }
}

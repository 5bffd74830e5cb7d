/** One CSV cell (RFC 4180): JSON for anything but a string, quoted when it holds a quote, comma or line break. */
export function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV line of `columns` taken from `row`, with its line break. */
export function csvLine<K extends string>(columns: readonly K[], row: Partial<Record<K, unknown>>): string {
  return `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
}

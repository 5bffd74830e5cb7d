const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code (checked against ICU's region data). */
export function isIso3166Alpha2(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false;
  // ICU answers unassigned codes with the code itself; "ZZ" (unknown region) and "EU"/"UN" are not countries.
  return !['ZZ', 'EU', 'EZ', 'UN', 'QO'].includes(code) && regionNames.of(code) !== code;
}

import countries from 'i18n-iso-countries';

const ALPHA_2 = new Set(Object.keys(countries.getAlpha2Codes()));
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Codes people use for a country that ISO 3166-1 spells otherwise (EU and UN usage among them). */
const COMMON_MISTAKES: Record<string, string> = { UK: 'GB', EL: 'GR' };

/** Whether `code` is an assigned ISO 3166-1 alpha-2 country code, upper-case (i18n-iso-countries' table). */
export function isIso3166Alpha2(code: string): boolean {
  return ALPHA_2.has(code);
}

/** Why `code` is not an ISO 3166-1 alpha-2 country code, naming the right one where it is a known slip; or null. */
export function iso3166Problem(code: string): string | null {
  if (isIso3166Alpha2(code)) return null;
  const corrected = COMMON_MISTAKES[code.toUpperCase()];
  if (corrected) {
    return `${code} is not an ISO 3166-1 alpha-2 code: ISO 3166-1 says ${corrected} (${regionNames.of(corrected)})`;
  }
  if (isIso3166Alpha2(code.toUpperCase())) return `must be upper-case: ${code.toUpperCase()}`;
  return 'must be an ISO 3166-1 alpha-2 country code such as DE';
}

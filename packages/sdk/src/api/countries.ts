/**
 * ISO 3166-1 alpha-2 codes (the 249 assigned ones, and XK, which ISO leaves to users and every KYC provider uses for
 * Kosovo). Inlined so the contract needs no country database in a browser.
 */
const ALPHA_2 = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA ' +
    'CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA ' +
    'GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS ' +
    'MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS ' +
    'RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW ' +
    'TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
  ).split(' '),
);

/** Codes people use for a country that ISO 3166-1 spells otherwise (EU and UN usage among them). */
const COMMON_MISTAKES: Record<string, string> = { UK: 'GB', EL: 'GR' };

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Whether `code` is an ISO 3166-1 alpha-2 country code, upper-case. */
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

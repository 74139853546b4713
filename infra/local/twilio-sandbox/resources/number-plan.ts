import type { Capabilities } from '../core/state';

/**
 * Where generated numbers come from. Enough of a numbering plan to be realistic: US/CA local and
 * toll-free, GB landline (no SMS — useful for 21715) and GB mobile.
 */
export type NumberType = 'Local' | 'Mobile' | 'TollFree';

export interface NumberFacts {
  isoCountry: string;
  type: NumberType;
  capabilities: Capabilities;
  region: string;
  locality: string;
}

const US_REGION_AREA_CODES: Record<string, string> = { CA: '415', NY: '212', TX: '512', WA: '206', IL: '312', FL: '305', MA: '617', GA: '404' };
const CA_REGION_AREA_CODES: Record<string, string> = { ON: '416', BC: '604', QC: '514', AB: '403' };
const TOLL_FREE_PREFIXES = ['800', '833', '844', '855', '866', '877', '888'];
const KEYPAD: Record<string, string> = { A: '2', B: '2', C: '2', D: '3', E: '3', F: '3', G: '4', H: '4', I: '4', J: '5', K: '5', L: '5', M: '6', N: '6', O: '6', P: '7', Q: '7', R: '7', S: '7', T: '8', U: '8', V: '8', W: '9', X: '9', Y: '9', Z: '9' };

export function supportedSearch(isoCountry: string, type: NumberType): boolean {
  if (isoCountry === 'US' || isoCountry === 'CA') return type === 'Local' || type === 'TollFree';
  if (isoCountry === 'GB') return type === 'Local' || type === 'Mobile';
  return false;
}

/** The k-th deterministic candidate for a search; Contains is overlaid on the last digits. */
export function candidate(isoCountry: string, type: NumberType, k: number, opts: { areaCode?: string; inRegion?: string; contains?: string }): string | undefined {
  const line = String((k * 7919 + 1234) % 10000).padStart(4, '0');
  let national: string;
  let countryCode: string;
  if (isoCountry === 'US' || isoCountry === 'CA') {
    countryCode = '1';
    const regionCodes = isoCountry === 'US' ? US_REGION_AREA_CODES : CA_REGION_AREA_CODES;
    const area =
      type === 'TollFree'
        ? TOLL_FREE_PREFIXES.includes(opts.areaCode ?? '') ? opts.areaCode! : TOLL_FREE_PREFIXES[1 + (k % 5)]!
        : opts.areaCode ?? regionCodes[(opts.inRegion ?? '').toUpperCase()] ?? (isoCountry === 'US' ? '415' : '416');
    national = `${area}${230 + Math.floor(k / 10000)}${line}`;
  } else {
    countryCode = '44';
    national = type === 'Mobile' ? `7700${String(900000 + (k % 100000)).slice(0, 6)}` : `2079${String(460000 + (k % 100000))}`;
  }
  const overlaid = overlay(national, opts.contains);
  return overlaid === undefined ? undefined : `+${countryCode}${overlaid}`;
}

function overlay(national: string, contains: string | undefined): string | undefined {
  if (!contains) return national;
  const pattern = contains.toUpperCase().replace(/[A-Z]/g, (c) => KEYPAD[c] ?? c).replace(/[^0-9*]/g, '');
  if (pattern.length > national.length) return undefined;
  const digits = national.split('');
  const offset = digits.length - pattern.length;
  pattern.split('').forEach((c, i) => {
    if (c !== '*') digits[offset + i] = c;
  });
  return digits.join('');
}

/** What Twilio would know about a number it sells, or undefined when it sells no such number. */
export function factsOf(e164: string): NumberFacts | undefined {
  const us = /^\+1(\d{3})\d{7}$/.exec(e164);
  if (us) {
    const area = us[1]!;
    if (TOLL_FREE_PREFIXES.includes(area)) return { isoCountry: 'US', type: 'TollFree', capabilities: { voice: true, sms: true, mms: true, fax: false }, region: '', locality: '' };
    const caRegion = Object.entries(CA_REGION_AREA_CODES).find(([, code]) => code === area)?.[0];
    if (caRegion) return { isoCountry: 'CA', type: 'Local', capabilities: { voice: true, sms: true, mms: true, fax: false }, region: caRegion, locality: '' };
    const usRegion = Object.entries(US_REGION_AREA_CODES).find(([, code]) => code === area)?.[0] ?? 'CA';
    return { isoCountry: 'US', type: 'Local', capabilities: { voice: true, sms: true, mms: true, fax: true }, region: usRegion, locality: '' };
  }
  if (/^\+447\d{9}$/.test(e164)) return { isoCountry: 'GB', type: 'Mobile', capabilities: { voice: true, sms: true, mms: false, fax: false }, region: '', locality: '' };
  if (/^\+44[12]\d{8,9}$/.test(e164)) return { isoCountry: 'GB', type: 'Local', capabilities: { voice: true, sms: false, mms: false, fax: false }, region: '', locality: 'London' };
  return undefined;
}

export function friendlyNumber(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `(${us[1]}) ${us[2]}-${us[3]}` : e164;
}

/** US/CA numbers that are not toll-free are 10DLC: US traffic needs an A2P campaign. */
export function isTenDlc(e164: string): boolean {
  const facts = factsOf(e164);
  return !!facts && (facts.isoCountry === 'US' || facts.isoCountry === 'CA') && facts.type === 'Local';
}

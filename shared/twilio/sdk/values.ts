/** Small readers for loosely typed Twilio payloads (SDK instances and raw JSON alike). */

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function num(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function date(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return typeof value === 'string' ? value : null;
}

/** Twilio spells capability keys in upper case on available numbers and lower case elsewhere. */
export function capabilities(value: unknown): { sms: boolean; mms: boolean; voice: boolean } {
  const c = (value ?? {}) as Record<string, unknown>;
  return {
    sms: Boolean(c.sms ?? c.SMS),
    mms: Boolean(c.mms ?? c.MMS),
    voice: Boolean(c.voice ?? c.Voice),
  };
}

/** Drops undefined entries so optional inputs are not sent at all. */
export function defined<T extends Record<string, unknown>>(input: T): T {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as T;
}

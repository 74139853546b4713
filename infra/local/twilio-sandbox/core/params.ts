import { invalidParameter, missingParameter } from './errors';
import type { Params } from './context';

export function str(params: Params, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

export function required(params: Params, name: string): string {
  const value = str(params, name);
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

export function list(params: Params, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function bool(params: Params, name: string): boolean | undefined {
  const value = str(params, name);
  if (value === undefined) return undefined;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw invalidParameter(name, `'${value}' is not a boolean`);
}

export function requiredBool(params: Params, name: string): boolean {
  const value = bool(params, name);
  if (value === undefined) throw missingParameter(name);
  return value;
}

/** Attributes and similar fields arrive as JSON strings inside form bodies. */
export function jsonString(params: Params, name: string): Record<string, unknown> {
  const raw = str(params, name);
  if (raw === undefined || raw === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw invalidParameter(name, 'must be a JSON object');
}

/** Only the filters the caller sent, echoed back in page URLs. */
export function filtersOf(params: Params, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = str(params, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

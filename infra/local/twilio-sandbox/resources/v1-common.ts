import { notFound } from '../core/errors';
import type { ApiRequest } from '../core/context';

/** Absolute resource URL as Twilio renders it on the newer hosts. */
export const hostUrl = (host: string, path: string): string => `https://${host}${path}`;

/**
 * On TrustHub, Messaging, Content and Events the account is the one the credentials belong to —
 * a resource of any other account answers 404, exactly like a missing one.
 */
export function ownedByCaller<T extends { accountSid: string }>(map: Map<string, T>, sid: string | undefined, req: ApiRequest): T {
  const record = sid ? map.get(sid) : undefined;
  if (!record || record.accountSid !== req.account.sid) throw notFound(req.path);
  return record;
}

/** JSON hosts: the body must be an object. */
export function jsonBody(req: ApiRequest): Record<string, unknown> {
  return req.json && typeof req.json === 'object' && !Array.isArray(req.json) ? (req.json as Record<string, unknown>) : {};
}

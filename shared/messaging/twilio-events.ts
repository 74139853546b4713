/**
 * Event Streams CloudEvents and TrustHub callbacks as one per-customer registration event. Twilio's
 * A2P `data` keys are lowercase (template events camelCase), `data` may arrive as a JSON string, and
 * a body is an array even for one event (a single object is accepted too).
 */
export interface RegistrationEvent {
  /** CloudEvent `id`, or for TrustHub (which has none) a key derived from the callback. */
  readonly eventId: string;
  readonly source: 'event-streams' | 'trusthub';
  readonly type: string;
  /** ISO-8601: the CloudEvent `time`, or when the callback was received. */
  readonly occurredAt: string;
  /** The registration resource the event is about (brand BN…, campaign, number PN…, bundle BU…, template HX…). */
  readonly resourceSid?: string;
  /** Every `…sid` field of the payload, lower-cased names. */
  readonly sids: Readonly<Record<string, string>>;
  readonly status?: string;
  /** Twilio's error details as sent (codes, descriptions, fields). */
  readonly errors: readonly unknown[];
  readonly data: unknown;
}

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

const RESOURCE_FIELDS = ['brandsid', 'campaignsid', 'phonenumbersid', 'messagingservicesid', 'bundlesid'] as const;
const STATUS_FIELDS = ['brandstatus', 'campaignregistrationstatus', 'externalstatus', 'identitystatus', 'status'] as const;
const ERROR_LIST_FIELDS = ['brandregistrationerrors', 'brandvettingerrors', 'errors'] as const;
// Keys are lower-cased first, so the documented `failureReason` spelling is read as well.
const ERROR_VALUE_FIELDS = ['errorcode', 'failurereason'] as const;

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      return asObject(JSON.parse(value));
    } catch {
      return {};
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function lowerKeys(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k.toLowerCase()] ??= v;
  return out;
}

function fromCloudEvent(raw: unknown): RegistrationEvent {
  const event = lowerKeys(asObject(raw));
  const id = event.id;
  const type = event.type;
  if (typeof id !== 'string' || id === '' || typeof type !== 'string' || type === '') throw new MalformedEventError('A CloudEvent needs an id and a type');
  const original = asObject(event.data);
  const data = lowerKeys(original);
  const template = lowerKeys(asObject(data.template));
  const sids: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) if (k.endsWith('sid') && typeof v === 'string' && v) sids[k] = v;
  if (typeof template.sid === 'string') sids.templatesid = template.sid;
  const resourceSid = RESOURCE_FIELDS.map((f) => sids[f]).find(Boolean) ?? sids.templatesid;
  const status = [...STATUS_FIELDS.map((f) => data[f]), template.currentvalue].find((v): v is string => typeof v === 'string' && v !== '');
  const errors: unknown[] = [];
  for (const f of ERROR_LIST_FIELDS) if (Array.isArray(data[f])) errors.push(...(data[f] as unknown[]));
  for (const f of ERROR_VALUE_FIELDS) if (data[f] !== undefined && data[f] !== null && data[f] !== '') errors.push({ [f]: data[f] });
  const time = typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)) ? new Date(event.time).toISOString() : undefined;
  return { eventId: id, source: 'event-streams', type, occurredAt: time ?? '', resourceSid, sids, status, errors, data: original };
}

/** The events of an Event Streams delivery; `receivedAt` stands in for a missing `time`. */
export function parseCloudEvents(body: unknown, receivedAt: string): RegistrationEvent[] {
  const list = Array.isArray(body) ? body : [body];
  return list.map((raw) => {
    const event = fromCloudEvent(raw);
    return event.occurredAt ? event : { ...event, occurredAt: receivedAt };
  });
}

/**
 * A TrustHub status callback. Its parameters are undocumented: it is kept as a trigger (bundle sid
 * and status) for the workflow to re-read the bundle. Its identity is the bundle and status, so the
 * same transition reported twice is one event.
 */
export function fromTrustHubCallback(params: ReadonlyArray<readonly [string, string]>, receivedAt: string): RegistrationEvent {
  const get = (name: string) => params.find(([n]) => n === name)?.[1];
  const bundleSid = get('BundleSid') ?? get('Sid');
  const status = get('Status');
  if (!bundleSid || !status) throw new MalformedEventError('A TrustHub callback needs BundleSid and Status');
  const reason = get('FailureReason');
  return {
    eventId: `trusthub:${bundleSid}:${status}`,
    source: 'trusthub',
    type: 'com.twilio.trusthub.bundle.status-callback',
    occurredAt: receivedAt,
    resourceSid: bundleSid,
    sids: { bundlesid: bundleSid },
    status,
    errors: reason ? [{ failurereason: reason }] : [],
    data: Object.fromEntries(params),
  };
}

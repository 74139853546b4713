import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import {
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors';
import { parseWith } from './validation';

/** Bodies above this are refused before parsing (API Gateway itself allows 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

/** The partner the authorizer resolved from the API key. Every route is scoped to it. */
export function partnerIdOf(event: APIGatewayProxyEvent): string {
  const partnerId = event.requestContext.authorizer?.partnerId;
  // The authorizer guarantees this; a missing value means a wiring mistake, never an anonymous call.
  if (typeof partnerId !== 'string' || partnerId === '') throw new UnauthorizedError('No authenticated partner');
  return partnerId;
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v ?? undefined;
  return undefined;
}

/** Size → media type → JSON → schema, each failure with its own status and a pointer to the fault. */
export function parseJsonBody<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`Body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES}`);
  }
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`Content-Type ${contentType ?? '(none)'} is not supported; send application/json`);
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new MalformedJsonError(`Body is not valid JSON: ${(error as Error).message}`);
  }
  return parseWith(schema, value, 'body');
}

const EMPTY_BODY = z.strictObject({});
/**
 * For actions that take nothing: no body, or `{}`. Anything else is refused like any bad body
 * (too large 413, not JSON 415/400, any field 400 naming it), never accepted and ignored.
 */
export function requireEmptyBody(event: APIGatewayProxyEvent): void {
  parseOptionalJsonBody(event, EMPTY_BODY);
}

/** For actions whose options all have defaults: no body (or an empty one) is `{}`, anything else is parsed like any body. */
export function parseOptionalJsonBody<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  if (!event.body) return parseWith(schema, {}, 'body');
  return parseJsonBody(event, schema);
}

export function parseQuery<S extends z.ZodType>(event: APIGatewayProxyEvent, schema: S): z.infer<S> {
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const [name, values] of Object.entries(multi)) {
    if ((values?.length ?? 0) > 1) {
      throw new ValidationError('A query parameter was repeated', [{ field: `query.${name}`, message: 'give it once' }]);
    }
  }
  return parseWith(schema, event.queryStringParameters ?? {}, 'query');
}

/**
 * The shape of every id a path can carry. An id of another shape names nothing of ours: it is the
 * ordinary 404, answered before any store call (a 1,000-character id would otherwise reach
 * DynamoDB's key-size limit and fail as a 500).
 */
const ULID = '[0-9A-Za-z]{26}';
const PATH_ID_FORMATS: Record<string, RegExp> = {
  id: new RegExp(`^cus_${ULID}$`),
  // Ours for messages sent through the API; Twilio's SID for those first seen through a webhook (inbound).
  messageId: new RegExp(`^(msg_${ULID}|(SM|MM)[0-9a-fA-F]{32})$`),
  endpointId: new RegExp(`^we_${ULID}$`),
  eventId: /^evt_[0-9A-Za-z_]{1,40}$/,
  brandId: /^BN[0-9a-fA-F]{32}$/,
  numberId: /^PN[0-9a-fA-F]{32}$/,
  templateId: new RegExp(`^tpl_${ULID}$`),
  senderId: new RegExp(`^was_${ULID}$`),
  sessionId: new RegExp(`^pls_${ULID}$`),
  documentId: new RegExp(`^doc_${ULID}$`),
  // `phone` is not an id: the consent routes check it as a phone number (400 naming path.phone).
};

export function pathParam(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new ValidationError(`Missing path parameter ${name}`, [{ field: `path.${name}`, message: 'is required' }]);
  const format = PATH_ID_FORMATS[name];
  if (format && !format.test(value)) throw new NotFoundError(`No ${name === 'id' ? 'customer' : name} has that id`);
  return value;
}

export function optionalHeader(event: APIGatewayProxyEvent, name: string): string | undefined {
  return header(event, name);
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

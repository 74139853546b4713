/**
 * Holds HTTP traffic to Twilio's official OpenAPI specs (the ones `@twilio/cli-core` ships).
 *
 * Used by the gateway contract tests (every request we send) and by the sandbox tests (every
 * response the sandbox returns). Both directions are checked more strictly than the specs say,
 * because the specs never set `additionalProperties: false` and Twilio silently ignores unknown
 * parameters: a misspelt `InboundRequestURL` would otherwise pass here and do nothing in production.
 * The one addition to the specs is {@link CAMPAIGN_OVERLAY}, for fields they predate.
 *
 * Accepted URL shapes: the real host (`https://api.twilio.com/2010-04-01/Accounts.json`) or the
 * base-URL layout the platform uses locally (`http://127.0.0.1:4010/api.twilio.com/2010-04-01/...`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: unknown };

/** The spec files whose hosts the platform calls. */
export const TWILIO_SPEC_FILES = [
  'twilio_api_v2010',
  'twilio_trusthub_v1',
  'twilio_messaging_v1',
  'twilio_messaging_v2',
  'twilio_content_v1',
  'twilio_events_v1',
  'twilio_accounts_v1',
  'twilio_iam_v1',
] as const;

const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

export interface TwilioOperation {
  operationId: string;
  method: string;
  host: string;
  pathTemplate: string;
  spec: string;
  pathParams: Record<string, string>;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface RouteEntry {
  spec: string;
  host: string;
  method: string;
  pathTemplate: string;
  segments: Array<{ literal: string } | { pattern: RegExp; names: string[] }>;
  literalCount: number;
  operation: Schema;
}

export interface TwilioRequestUnderTest {
  method: string;
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  /** Raw body (string/Buffer, parsed by Content-Type) or an already parsed form/JSON object. */
  body?: unknown;
}

export interface TwilioResponseUnderTest {
  method: string;
  url: string;
  status: number;
  /** Raw body (string/Buffer, parsed as JSON) or the parsed value. */
  body?: unknown;
}

const SPEC_DIR = join(dirname(require.resolve('@twilio/cli-core/package.json')), 'src', 'services', 'twilio-api');

/**
 * Twilio's documented error body. The specs declare only success responses, yet the sandbox must
 * answer failures the way Twilio does, so error statuses are held to this shape.
 */
const TWILIO_ERROR_SCHEMA: Schema = {
  type: 'object',
  required: ['code', 'message', 'status'],
  additionalProperties: false,
  properties: {
    code: { type: 'integer' },
    message: { type: 'string' },
    more_info: { type: 'string' },
    status: { type: 'integer' },
    details: { type: 'object' },
  },
};

/** Formats Twilio defines itself; checked loosely where their meaning is clear, accepted otherwise. */
const TWILIO_FORMATS: Record<string, true | RegExp> = {
  'date-time-rfc-2822': /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/,
  'http-method': /^(GET|POST|PUT|DELETE|PATCH|HEAD)$/i,
  'iso-country-code': /^[A-Z]{2}$/,
  'uri-map': true,
  'phone-number': true,
  'phone-number-capabilities': true,
  currency: true,
  'ice-server': true,
  endpoint: true,
  twiml: true,
};

// ---------------------------------------------------------------------------------------------
// Overlay: what the pinned specs lack

/**
 * Campaign policy URLs. Twilio takes `PrivacyPolicyUrl` and `TermsAndConditionsUrl` on campaign
 * create and, for requests sent with `X-Twilio-Api-Version: v1.2`, returns them on the campaign.
 * The specs pinned here (`@twilio/cli-core` 8.3.2) predate all of that; the newer spec the twilio
 * SDK 6.2.0 was generated from declares it (see `UsAppToPersonListInstanceCreateOptions` and
 * `UsAppToPersonResource` in the SDK). Exactly those declarations are added (URL strings) and
 * nothing else: every other parameter and property is still held to the pinned spec. The header
 * is declared too because only declared headers are validated. Loading fails once a pinned spec
 * declares one of these itself; the overlay has then served its purpose and should go.
 */
const CAMPAIGN_OVERLAY = {
  spec: 'twilio_messaging_v1',
  path: '/v1/Services/{MessagingServiceSid}/Compliance/Usa2p',
  resource: 'messaging.v1.service.us_app_to_person',
  formParams: {
    PrivacyPolicyUrl: { type: 'string', format: 'uri' },
    TermsAndConditionsUrl: { type: 'string', format: 'uri' },
  },
  header: { name: 'X-Twilio-Api-Version', in: 'header', required: false, schema: { type: 'string' } },
  // Nullable like every property of the specs' resources (a campaign created without them).
  properties: {
    privacy_policy_url: { type: 'string', format: 'uri', nullable: true },
    terms_and_conditions_url: { type: 'string', format: 'uri', nullable: true },
  },
} as const;

function addUndeclared(target: Record<string, unknown>, additions: Record<string, unknown>, where: string): void {
  for (const [name, schema] of Object.entries(additions)) {
    if (name in target) throw new Error(`${where} now declares ${name}: remove it from CAMPAIGN_OVERLAY`);
    target[name] = structuredClone(schema);
  }
}

function applyOverlay(file: string, spec: Schema): void {
  const o = CAMPAIGN_OVERLAY;
  if (file !== o.spec) return;
  const create = (spec.paths as Record<string, Record<string, Schema>>)[o.path].post;
  const content = (create.requestBody as { content: Record<string, { schema: Schema }> }).content;
  addUndeclared(content['application/x-www-form-urlencoded'].schema.properties as Schema, o.formParams, `POST ${o.path}`);
  const parameters = create.parameters as Parameter[];
  if (parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === o.header.name.toLowerCase())) {
    throw new Error(`POST ${o.path} now declares ${o.header.name}: remove it from CAMPAIGN_OVERLAY`);
  }
  parameters.push(structuredClone(o.header) as Parameter);
  const resource = ((spec.components as Schema).schemas as Record<string, Schema>)[o.resource];
  addUndeclared(resource.properties as Schema, o.properties, o.resource);
}

// ---------------------------------------------------------------------------------------------
// Schema preparation

/**
 * Rewrites a spec schema into one Ajv accepts and that is closed:
 * - `nullable` without `type` is dropped; `{nullable, $ref}` becomes `anyOf: [{$ref}, {type: null}]`;
 * - a nullable `enum` gets `null` added (Ajv checks enum after the nullable type check);
 * - local `$ref`s are made absolute so inline operation schemas compile on their own;
 * - every object schema that lists `properties` and does not say otherwise rejects other keys;
 * - `x-twilio` and other vendor extensions are removed.
 */
function prepare(node: unknown, specId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => prepare(item, specId));
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-') || key === 'example' || key === 'examples') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#')) {
      out.$ref = `${specId}${value}`;
      continue;
    }
    // Maps of names to schemas: the keys are names, not keywords, so recurse into values only.
    if ((key === 'properties' || key === 'patternProperties') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, prepare(sub, specId)]));
      continue;
    }
    out[key] = prepare(value, specId);
  }
  if ('nullable' in out && !('type' in out)) {
    const nullable = out.nullable === true;
    delete out.nullable;
    if (nullable && typeof out.$ref === 'string') {
      const ref = out.$ref;
      delete out.$ref;
      out.anyOf = [{ $ref: ref }, { type: 'null' }];
    }
  }
  if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null)) {
    out.enum = [...out.enum, null];
  }
  if (out.properties && typeof out.properties === 'object' && !('additionalProperties' in out)) {
    out.additionalProperties = false;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Spec registry (loaded once, lazily)

interface Registry {
  ajv: Ajv;
  routes: RouteEntry[];
  specs: Map<string, Schema>;
}

let registry: Registry | undefined;

function compileTemplate(pathTemplate: string): RouteEntry['segments'] {
  return pathTemplate
    .split('/')
    .slice(1)
    .map((segment) => {
      if (!segment.includes('{')) return { literal: segment };
      const names: string[] = [];
      const source = segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const match = /^\{([^}]+)\}$/.exec(part);
          if (match) {
            names.push(match[1]);
            return '([^/]+?)';
          }
          return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        })
        .join('');
      return { pattern: new RegExp(`^${source}$`), names };
    });
}

function load(): Registry {
  if (registry) return registry;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // Twilio marks relative links (`uri`, `first_page_uri`: "/2010-04-01/...") as `format: uri`, so its
  // `uri` means a URI reference; strict RFC 3986 absolute URIs would reject Twilio's own payloads.
  ajv.addFormat('uri', fullFormats['uri-reference'] as RegExp | ((s: string) => boolean));
  for (const [name, check] of Object.entries(TWILIO_FORMATS)) {
    ajv.addFormat(name, check === true ? () => true : check);
  }
  const routes: RouteEntry[] = [];
  const specs = new Map<string, Schema>();
  for (const file of TWILIO_SPEC_FILES) {
    const spec = JSON.parse(readFileSync(join(SPEC_DIR, `${file}.json`), 'utf8')) as Schema;
    applyOverlay(file, spec);
    specs.set(file, spec);
    const components = (spec.components as Schema | undefined) ?? {};
    ajv.addSchema({ $id: file, components: { schemas: prepare(components.schemas ?? {}, file) } });
    const topServers = (spec.servers as Array<{ url: string }> | undefined) ?? [];
    for (const [pathTemplate, item] of Object.entries(spec.paths as Record<string, Schema>)) {
      const servers = (item.servers as Array<{ url: string }> | undefined) ?? topServers;
      for (const server of servers) {
        const host = new URL(server.url).host;
        for (const method of METHODS) {
          const operation = item[method] as Schema | undefined;
          if (!operation) continue;
          const segments = compileTemplate(pathTemplate);
          routes.push({
            spec: file,
            host,
            method,
            pathTemplate,
            segments,
            literalCount: segments.filter((s) => 'literal' in s).length,
            operation,
          });
        }
      }
    }
  }
  registry = { ajv, routes, specs };
  return registry;
}

const compiled = new WeakMap<object, ValidateFunction>();
const compiledByKey = new Map<string, ValidateFunction>();

/**
 * Compiles once per spec schema object; schemas synthesised per call (parameter lists) pass a
 * stable `key` so repeated validations do not compile again.
 */
function validatorFor(schema: Schema, specId: string, key?: string): ValidateFunction {
  const cached = key ? compiledByKey.get(key) : compiled.get(schema);
  if (cached) return cached;
  const fn = load().ajv.compile(prepare(schema, specId) as Schema);
  if (key) compiledByKey.set(key, fn);
  else compiled.set(schema, fn);
  return fn;
}

function resolveRef(schema: Schema | undefined, specId: string): Schema | undefined {
  let current = schema;
  for (let guard = 0; current && typeof current.$ref === 'string' && guard < 10; guard++) {
    const name = current.$ref.split('/').pop() as string;
    const spec = load().specs.get(specId) as Schema;
    current = ((spec.components as Schema).schemas as Record<string, Schema>)[name];
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Locating an operation

interface Located {
  host: string;
  path: string;
  query: URLSearchParams;
}

/** Splits either URL layout into Twilio host, path and query. */
function locate(url: string): Located {
  const parsed = new URL(url);
  if (/(^|\.)twilio\.com$/.test(parsed.hostname)) {
    return { host: parsed.host, path: parsed.pathname, query: parsed.searchParams };
  }
  const [, host = '', ...rest] = parsed.pathname.split('/');
  return { host, path: `/${rest.join('/')}`, query: parsed.searchParams };
}

function match(route: RouteEntry, path: string): Record<string, string> | undefined {
  const parts = path.split('/').slice(1);
  if (parts.length !== route.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const segment = route.segments[i];
    if ('literal' in segment) {
      if (segment.literal !== parts[i]) return undefined;
      continue;
    }
    const found = segment.pattern.exec(parts[i]);
    if (!found) return undefined;
    segment.names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1]);
    });
  }
  return params;
}

function findRoute(method: string, url: string): { route: RouteEntry; pathParams: Record<string, string>; located: Located } | undefined {
  const located = locate(url);
  const wanted = method.toLowerCase();
  // Literal segments win over templates (`/Usa2p/Usecases` is not `/Usa2p/{Sid}`).
  const candidates = load()
    .routes.filter((r) => r.host === located.host && r.method === wanted)
    .map((route) => ({ route, pathParams: match(route, located.path) }))
    .filter((c): c is { route: RouteEntry; pathParams: Record<string, string> } => c.pathParams !== undefined)
    .sort((a, b) => b.route.literalCount - a.route.literalCount);
  const best = candidates[0];
  return best ? { ...best, located } : undefined;
}

/** The spec operation for a request, or undefined when the spec has none. */
export function findTwilioOperation(method: string, url: string): TwilioOperation | undefined {
  const found = findRoute(method, url);
  if (!found) return undefined;
  const { route, pathParams } = found;
  return {
    operationId: String(route.operation.operationId),
    method: route.method.toUpperCase(),
    host: route.host,
    pathTemplate: route.pathTemplate,
    spec: route.spec,
    pathParams,
  };
}

// ---------------------------------------------------------------------------------------------
// Coercion of form and query values (always strings on the wire)

function coerceScalar(raw: string, schema: Schema | undefined, specId: string): unknown {
  const resolved = resolveRef(schema, specId);
  const type = resolved?.type;
  if (type === 'integer' || type === 'number') {
    return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  if (type === 'boolean') {
    if (raw === 'true' || raw === 'True') return true;
    if (raw === 'false' || raw === 'False') return false;
    return raw;
  }
  if (type === 'object') {
    // The SDK serialises object parameters as JSON text in form bodies.
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  return raw;
}

function coerceField(values: string[], schema: Schema | undefined, specId: string): unknown {
  const resolved = resolveRef(schema, specId);
  if (resolved?.type === 'array') {
    return values.map((v) => coerceScalar(v, resolved.items as Schema | undefined, specId));
  }
  // A repeated key for a non-array parameter stays an array so the type check reports it.
  return values.length === 1 ? coerceScalar(values[0], schema, specId) : values;
}

function groupPairs(pairs: Iterable<[string, string]>): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of pairs) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return grouped;
}

function formPairs(body: unknown): Map<string, string[]> {
  if (typeof body === 'string' || Buffer.isBuffer(body)) return groupPairs(new URLSearchParams(body.toString()));
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries((body as Record<string, unknown>) ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) pairs.push([key, String(v)]);
  }
  return groupPairs(pairs);
}

// ---------------------------------------------------------------------------------------------
// Error formatting

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((e) => {
    const at = `${where}${e.instancePath}`;
    if (e.keyword === 'additionalProperties') {
      return `${at}/${String((e.params as { additionalProperty: string }).additionalProperty)} is not declared by the spec`;
    }
    if (e.keyword === 'required') {
      return `${at}: missing required ${String((e.params as { missingProperty: string }).missingProperty)}`;
    }
    return `${at}: ${e.message ?? e.keyword}`;
  });
}

function headerValue(headers: TwilioRequestUnderTest['headers'], name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  const value = entry?.[1];
  return Array.isArray(value) ? value.join(', ') : value;
}

function paramsObjectSchema(params: Parameter[]): Schema {
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

// ---------------------------------------------------------------------------------------------
// Public API

/** Every way the request departs from the spec; empty when it conforms. */
export function validateTwilioRequest(request: TwilioRequestUnderTest): string[] {
  const found = findRoute(request.method, request.url);
  if (!found) return [`${request.method.toUpperCase()} ${request.url}: no such operation in Twilio's OpenAPI specs`];
  const { route, pathParams, located } = found;
  const label = `${route.method.toUpperCase()} ${route.host}${route.pathTemplate} (${String(route.operation.operationId)})`;
  const problems: string[] = [];
  const parameters = (route.operation.parameters as Parameter[] | undefined) ?? [];

  const pathSchema = paramsObjectSchema(parameters.filter((p) => p.in === 'path'));
  const routeKey = `${route.spec}|${route.method}|${route.pathTemplate}`;
  const pathCheck = validatorFor(pathSchema, route.spec, `${routeKey}|path`);
  if (!pathCheck(pathParams)) problems.push(...describe(pathCheck.errors, 'path'));

  const queryParams = parameters.filter((p) => p.in === 'query');
  const query: Record<string, unknown> = {};
  for (const [key, values] of groupPairs(located.query)) {
    query[key] = coerceField(values, queryParams.find((p) => p.name === key)?.schema, route.spec);
  }
  const querySchema = paramsObjectSchema(queryParams);
  const queryCheck = validatorFor(querySchema, route.spec, `${routeKey}|query`);
  if (!queryCheck(query)) problems.push(...describe(queryCheck.errors, 'query'));

  // Only declared headers are checked: transport headers (auth, user agent) are not parameters.
  for (const header of parameters.filter((p) => p.in === 'header')) {
    const value = headerValue(request.headers, header.name);
    if (value === undefined) {
      if (header.required) problems.push(`header: missing required ${header.name}`);
      continue;
    }
    const check = validatorFor(header.schema ?? {}, route.spec, `${routeKey}|header|${header.name}`);
    if (!check(coerceScalar(value, header.schema, route.spec))) problems.push(...describe(check.errors, `header/${header.name}`));
  }

  problems.push(...validateRequestBody(route, request));
  return problems.map((p) => `${label}: ${p}`);
}

function isEmptyBody(body: unknown): boolean {
  if (body === undefined || body === null) return true;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body.length === 0;
  return typeof body === 'object' && Object.keys(body as object).length === 0;
}

function validateRequestBody(route: RouteEntry, request: TwilioRequestUnderTest): string[] {
  const requestBody = route.operation.requestBody as { required?: boolean; content: Record<string, { schema: Schema }> } | undefined;
  if (!requestBody) {
    return isEmptyBody(request.body) ? [] : ['body: the operation takes no request body'];
  }
  const contentType = (headerValue(request.headers, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  const declared = Object.keys(requestBody.content);
  const mediaType = declared.find((t) => t === contentType) ?? (contentType === '' && declared.length === 1 ? declared[0] : undefined);
  if (!mediaType) {
    if (isEmptyBody(request.body) && !requestBody.required) return [];
    return [`body: Content-Type "${contentType}" is not one of ${declared.join(', ')}`];
  }
  const schema = requestBody.content[mediaType].schema;
  if (mediaType === 'application/json') {
    if (isEmptyBody(request.body)) return requestBody.required ? ['body: a JSON body is required'] : [];
    let parsed: unknown = request.body;
    if (typeof parsed === 'string' || Buffer.isBuffer(parsed)) {
      try {
        parsed = JSON.parse(parsed.toString());
      } catch {
        return ['body: not valid JSON'];
      }
    }
    const check = validatorFor(schema, route.spec);
    return check(parsed) ? [] : describe(check.errors, 'body');
  }
  const properties = (resolveRef(schema, route.spec)?.properties as Record<string, Schema> | undefined) ?? {};
  const form: Record<string, unknown> = {};
  for (const [key, values] of formPairs(request.body)) form[key] = coerceField(values, properties[key], route.spec);
  const check = validatorFor(schema, route.spec);
  return check(form) ? [] : describe(check.errors, 'body');
}

function parseJsonBody(body: unknown): { value?: Json; error?: string } {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    if (text.length === 0) return {};
    try {
      return { value: JSON.parse(text) as Json };
    } catch {
      return { error: 'body: not valid JSON' };
    }
  }
  return { value: body as Json };
}

/** Every way the response departs from the spec; empty when it conforms. */
export function validateTwilioResponse(response: TwilioResponseUnderTest): string[] {
  const found = findRoute(response.method, response.url);
  if (!found) return [`${response.method.toUpperCase()} ${response.url}: no such operation in Twilio's OpenAPI specs`];
  const { route } = found;
  const label = `${route.method.toUpperCase()} ${route.host}${route.pathTemplate} (${String(route.operation.operationId)}) → ${response.status}`;
  const responses = route.operation.responses as Record<string, { content?: Record<string, { schema: Schema }> }>;
  const parsed = parseJsonBody(response.body);
  if (parsed.error) return [`${label}: ${parsed.error}`];

  const declared = responses[String(response.status)];
  if (!declared) {
    if (response.status >= 400) {
      const check = validatorFor(TWILIO_ERROR_SCHEMA, route.spec);
      return check(parsed.value) ? [] : describe(check.errors, 'body').map((p) => `${label}: ${p}`);
    }
    return [`${label}: status ${response.status} is not declared (declared: ${Object.keys(responses).join(', ')})`];
  }
  const schema = declared.content?.['application/json']?.schema;
  if (!schema) {
    return parsed.value === undefined ? [] : [`${label}: the spec declares no body for this status`];
  }
  if (parsed.value === undefined) return [`${label}: body missing`];
  const check = validatorFor(schema, route.spec);
  return check(parsed.value) ? [] : describe(check.errors, 'body').map((p) => `${label}: ${p}`);
}

/**
 * The success status and first example body the spec gives for an operation (undefined body for
 * 204s). Lets fakes answer with Twilio's own sample payloads.
 */
export function exampleTwilioResponse(method: string, url: string): { status: number; body?: Json } | undefined {
  const found = findRoute(method, url);
  if (!found) return undefined;
  type Example = { value?: Json; $ref?: string };
  const responses = found.route.operation.responses as Record<string, { content?: Record<string, { examples?: Record<string, Example> }> }>;
  const status = Object.keys(responses)
    .filter((s) => /^2\d\d$/.test(s))
    .sort()[0];
  if (!status) return undefined;
  const examples = responses[status].content?.['application/json']?.examples;
  let first = examples ? Object.values(examples)[0] : undefined;
  if (first?.$ref) {
    // Shared examples live under components.examples and are referenced by name.
    const spec = load().specs.get(found.route.spec) as Schema;
    const shared = (spec.components as Schema).examples as Record<string, Example> | undefined;
    first = shared?.[first.$ref.split('/').pop() as string];
  }
  return { status: Number(status), body: first?.value };
}

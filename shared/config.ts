/**
 * The one place that reads the environment. Parsed once at cold start; a bad value fails the
 * function (or the local platform) immediately with the variable's name, instead of surfacing
 * later as a confusing runtime error. Values a given function does not need stay optional and
 * are checked where they are used through {@link required}. An empty variable counts as unset.
 *
 * Written without a validation library on purpose: every function loads this module at cold
 * start, including the webhook receivers, whose bundle is budgeted to the kilobyte (zod/mini alone
 * added 26 KB there), and the settings take only the few shapes below. Messages name the variable
 * and the expected shape, never the value, which may be a secret.
 */

/** Turns a raw (non-empty) value into the setting, or throws an Error saying what it must be. */
type Reader<T> = (raw: string) => T;

interface Setting<T> {
  readonly read: Reader<T>;
  readonly fallback: T;
}

const invalid = (shape: string): never => {
  throw new Error(`must be ${shape}`);
};

const text: Reader<string> = (raw) => raw;

const matching =
  (pattern: RegExp, shape: string): Reader<string> =>
  (raw) =>
    pattern.test(raw) ? raw : invalid(shape);

const httpUrl: Reader<string> = (raw) => {
  let protocol: string | undefined;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  return protocol === 'http:' || protocol === 'https:' ? raw : invalid('an http(s) URL');
};

// The shape zod and most validators accept: a dotted local part, a domain with a 2+ letter TLD.
const email = matching(/^(?!\.)(?!.*\.\.)[A-Za-z0-9_'+\-.]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/, 'an email address');

const oneOf =
  <const V extends string>(values: readonly V[]): Reader<V> =>
  (raw) =>
    values.includes(raw as V) ? (raw as V) : invalid(`one of ${values.join(', ')}`);

const integer =
  (min: number, max: number): Reader<number> =>
  (raw) => {
    const value = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
    return value >= min && value <= max ? value : invalid(`an integer from ${min} to ${max}`);
  };

const flag: Reader<boolean> = (raw) => {
  const value = raw.trim().toLowerCase();
  return value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : invalid('true or false');
};

const stringMap: Reader<Readonly<Record<string, string>>> = (raw) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // reported below
  }
  const ok = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string');
  return ok ? Object.freeze(parsed as Record<string, string>) : invalid('a JSON object of queue name → URL');
};

const optional = <T>(read: Reader<T>): Setting<T | undefined> => ({ read, fallback: undefined });
const withDefault = <T>(read: Reader<T>, fallback: T): Setting<T> => ({ read, fallback });

const SETTINGS = {
  AWS_REGION: withDefault(text, 'us-east-1'),
  TABLE_NAME: withDefault(text, 'switchboard'),
  /** DynamoDB Local endpoint; unset in AWS. */
  DYNAMODB_ENDPOINT: optional(httpUrl),
  /** Prefix of newly issued partner API keys, e.g. `sb_live_` in production, `sb_test_` locally. */
  API_KEY_PREFIX: withDefault(matching(/^[a-z]+_[a-z]+_$/, 'two lowercase words each followed by _, e.g. sb_live_'), 'sb_live_'),
  /** Unset = real Twilio; otherwise every Twilio host is reached at `${TWILIO_BASE_URL}/<host>/<path>`. */
  TWILIO_BASE_URL: optional(httpUrl),
  /** Master (ISV parent) credentials: from Secrets Manager in AWS, from these variables locally. */
  TWILIO_MASTER_SECRET_ARN: optional(text),
  TWILIO_ACCOUNT_SID: optional(matching(/^AC[0-9a-f]{32}$/, 'an account SID (AC + 32 hex digits)')),
  TWILIO_AUTH_TOKEN: optional(text),
  /** The ISV's approved Primary Customer Profile (BU…), assigned to every secondary profile. */
  TWILIO_PRIMARY_PROFILE_SID: optional(matching(/^BU[0-9a-f]{32}$/, 'a customer profile SID (BU + 32 hex digits)')),
  /** Inbox that receives TrustHub notifications (an ISV-owned address, not the customer's). */
  TWILIO_NOTIFICATION_EMAIL: optional(email),
  /** `kms` in AWS; `local` uses AES-256-GCM with LOCAL_MASTER_KEY (base64, 32 bytes). */
  KEY_SERVICE: withDefault(oneOf(['kms', 'local']), 'kms'),
  KMS_KEY_ID: optional(text),
  LOCAL_MASTER_KEY: optional(text),
  /**
   * Canonical public base URL of the webhook receivers; signatures are checked against it, never
   * against request headers. When set it wins (local platform, tests); in AWS it is unset and the
   * base is read from WEBHOOK_BASE_URL_PARAMETER.
   */
  WEBHOOK_BASE_URL: optional(httpUrl),
  /** Name of the SSM parameter the stack writes the webhook distribution's URL to (fixed per stage). */
  WEBHOOK_BASE_URL_PARAMETER: optional(matching(/^\/[A-Za-z0-9_.\-/]+$/, 'an SSM parameter name starting with /')),
  /**
   * Name of the SSM parameter the stack writes the portal distribution's URL to (fixed per stage):
   * portal links are built on it. Unset (the local platform), links are built on the origin the
   * request reached, which serves the portal too.
   */
  PORTAL_BASE_URL_PARAMETER: optional(matching(/^\/[A-Za-z0-9_.\-/]+$/, 'an SSM parameter name starting with /')),
  /** Port of the AWS Parameters and Secrets Lambda Extension (its own variable, default 2773). */
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: withDefault(integer(1, 65535), 2773),
  /** Set by Lambda; the extension accepts only requests that present it. */
  AWS_SESSION_TOKEN: optional(text),
  /** Queue URLs (SQS in AWS, in-process locally) keyed by catalog queue name. */
  QUEUE_URLS: withDefault(stringMap, Object.freeze({})),
  /**
   * Queues whose depth this function reads (never sends to), `<queue>` and `<queue>-dlq` → URL:
   * the partner status route's. Unset locally, where the depths come from the in-process queues.
   */
  QUEUE_DEPTH_URLS: withDefault(stringMap, Object.freeze({})),
  STATE_MACHINE_ARN: optional(text),
  /** Read by Powertools itself too; here it decides whether the Tracer (and the X-Ray SDK) is loaded at all. */
  POWERTOOLS_TRACE_ENABLED: withDefault(flag, true),
  /** Local development only: partner webhook URLs may be http to loopback addresses. Never set by the stack. */
  PARTNER_WEBHOOKS_ALLOW_LOOPBACK: withDefault(flag, false),
  /**
   * How long the authorizer reuses an Allow for the same API key (the stack sets the 60 s API
   * Gateway used to cache; the local platform emulates that cache in its gateway instead). Portal
   * session cookies are never cached. 0 asks the table every time.
   */
  AUTHORIZER_KEY_CACHE_SECONDS: withDefault(integer(0, 3600), 0),
  /**
   * How long a delivery function reuses an enabled endpoint's row (a changed URL, types or secret
   * take effect within it). 0 reads the row for every attempt.
   */
  PARTNER_WEBHOOKS_ENDPOINT_CACHE_MS: withDefault(integer(0, 60_000), 1_000),
  /**
   * The platform's Meta app (the ISV as a Tech Provider) and its Facebook Login for Business
   * configuration of the WhatsApp Embedded Signup variation: with both set, the portal runs Meta's
   * real Embedded Signup; without them (local default) a simulated hand-off stands in for it.
   */
  META_APP_ID: optional(matching(/^\d{5,20}$/, 'a numeric Meta app id')),
  META_EMBEDDED_SIGNUP_CONFIG_ID: optional(matching(/^\d{5,20}$/, 'a numeric Facebook Login for Business configuration id')),
  /** The Graph API version the portal initialises Meta's JavaScript SDK with. */
  META_GRAPH_API_VERSION: withDefault(matching(/^v\d{1,2}\.\d$/, 'a Graph API version such as v21.0'), 'v21.0'),
  /** The S3 bucket of supporting documents' bytes (set by the stack on the functions that touch them). */
  DOCUMENT_BUCKET: optional(text),
  /** Local platform only: the directory documents' bytes are kept in instead of S3. */
  DOCUMENTS_DIR: optional(text),
  /** How long a decrypted subaccount token stays in a warm function's memory. */
  TOKEN_CACHE_TTL_SECONDS: withDefault(integer(0, 3600), 300),
};

export type Config = { readonly [K in keyof typeof SETTINGS]: (typeof SETTINGS)[K]['fallback'] };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>) {
    const raw = env[name];
    try {
      values[name] = raw === undefined || raw === '' ? setting.fallback : setting.read(raw);
    } catch (error) {
      problems.push(`${name} ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  return Object.freeze(values) as Config;
}

export const config: Config = loadConfig();

/** Reads a setting this code path cannot run without, naming the variable when it is missing. */
export function required<K extends keyof Config>(key: K): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null || value === '') {
    throw new Error(`Missing configuration: ${String(key)} must be set for this function`);
  }
  return value as NonNullable<Config[K]>;
}

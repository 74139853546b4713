import * as z from 'zod/mini';

/**
 * The one place that reads the environment. Parsed once at cold start; a bad value fails the
 * function (or the local platform) immediately with the variable's name, instead of surfacing
 * later as a confusing runtime error. Values a given function does not need stay optional and
 * are checked where they are used through {@link required}.
 *
 * `zod/mini` (not full zod): every function loads this module at cold start, including the
 * webhook receivers, which are kept small and fast to load.
 */
const schema = z.object({
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  TABLE_NAME: z._default(z.string().check(z.minLength(1)), 'switchboard'),
  /** DynamoDB Local endpoint; unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** Prefix of newly issued partner API keys, e.g. `sb_live_` in production, `sb_test_` locally. */
  API_KEY_PREFIX: z._default(z.string().check(z.regex(/^[a-z]+_[a-z]+_$/)), 'sb_live_'),
  /** Unset = real Twilio; otherwise every Twilio host is reached at `${TWILIO_BASE_URL}/<host>/<path>`. */
  TWILIO_BASE_URL: z.optional(z.url()),
  /** Master (ISV parent) credentials: from Secrets Manager in AWS, from these variables locally. */
  TWILIO_MASTER_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  TWILIO_ACCOUNT_SID: z.optional(z.string().check(z.regex(/^AC[0-9a-f]{32}$/))),
  TWILIO_AUTH_TOKEN: z.optional(z.string().check(z.minLength(1))),
  /** The ISV's approved Primary Customer Profile (BU…), assigned to every secondary profile. */
  TWILIO_PRIMARY_PROFILE_SID: z.optional(z.string().check(z.regex(/^BU[0-9a-f]{32}$/))),
  /** Inbox that receives TrustHub notifications (an ISV-owned address, not the customer's). */
  TWILIO_NOTIFICATION_EMAIL: z.optional(z.email()),
  /** `kms` in AWS; `local` uses AES-256-GCM with LOCAL_MASTER_KEY (base64, 32 bytes). */
  KEY_SERVICE: z._default(z.enum(['kms', 'local']), 'kms'),
  KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  LOCAL_MASTER_KEY: z.optional(z.string().check(z.minLength(1))),
  /** Canonical public base URL of the webhook receivers; signatures are checked against it, never against request headers. */
  WEBHOOK_BASE_URL: z.optional(z.url()),
  /** Queue URLs (SQS in AWS, in-process locally) keyed by catalog queue name. */
  QUEUE_URLS: z.pipe(
    z.optional(z.string()),
    z.transform((raw, ctx): Record<string, string> => {
      if (!raw) return {};
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && Object.values(parsed).every((v) => typeof v === 'string')) {
          return parsed as Record<string, string>;
        }
      } catch {
        // reported below
      }
      ctx.issues.push({ code: 'custom', message: 'must be a JSON object of queue name → URL', input: raw });
      return z.NEVER;
    }),
  ),
  STATE_MACHINE_ARN: z.optional(z.string().check(z.minLength(1))),
  /** How long a decrypted subaccount token stays in a warm function's memory. */
  TOKEN_CACHE_TTL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(3600)), 300),
});

export type Config = z.output<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.')}: ${i.code === 'custom' ? i.message : `${i.code}${'format' in i ? ` (${String(i.format)})` : ''}`}`)
      .join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
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

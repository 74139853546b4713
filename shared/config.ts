import { z } from 'zod';

/**
 * The one place that reads the environment. Parsed once at cold start; a bad value fails the
 * function (or the local platform) immediately with the variable's name, instead of surfacing
 * later as a confusing runtime error. Values a given function does not need stay optional and
 * are checked where they are used through {@link required}.
 */
const schema = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  TABLE_NAME: z.string().min(1).default('switchboard'),
  /** DynamoDB Local endpoint; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** Prefix of newly issued partner API keys, e.g. `sb_live_` in production, `sb_test_` locally. */
  API_KEY_PREFIX: z.string().regex(/^[a-z]+_[a-z]+_$/).default('sb_live_'),
  /** Unset = real Twilio; otherwise every Twilio host is reached at `${TWILIO_BASE_URL}/<host>/<path>`. */
  TWILIO_BASE_URL: z.url().optional(),
  /** Master (ISV parent) credentials: from Secrets Manager in AWS, from these variables locally. */
  TWILIO_MASTER_SECRET_ARN: z.string().min(1).optional(),
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-f]{32}$/).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  /** The ISV's approved Primary Customer Profile (BU…), assigned to every secondary profile. */
  TWILIO_PRIMARY_PROFILE_SID: z.string().regex(/^BU[0-9a-f]{32}$/).optional(),
  /** Inbox that receives TrustHub notifications (an ISV-owned address, not the customer's). */
  TWILIO_NOTIFICATION_EMAIL: z.email().optional(),
  /** `kms` in AWS; `local` uses AES-256-GCM with LOCAL_MASTER_KEY (base64, 32 bytes). */
  KEY_SERVICE: z.enum(['kms', 'local']).default('kms'),
  KMS_KEY_ID: z.string().min(1).optional(),
  LOCAL_MASTER_KEY: z.string().min(1).optional(),
  /** Canonical public base URL of the webhook receivers; signatures are checked against it, never against request headers. */
  WEBHOOK_BASE_URL: z.url().optional(),
  /** Queue URLs (SQS in AWS, in-process locally) keyed by catalog queue name. */
  QUEUE_URLS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (!raw) return {} as Record<string, string>;
      try {
        return z.record(z.string(), z.string()).parse(JSON.parse(raw));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'QUEUE_URLS must be a JSON object of name → URL' });
        return z.NEVER;
      }
    }),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  /** How long a decrypted subaccount token stays in a warm function's memory. */
  TOKEN_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
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

/**
 * The Twilio gateway on the official `twilio` SDK, composed of the areas a caller names.
 *
 * Construction: `createSdkTwilio({ master, baseUrl, retry }).gateway(accountsAdapter, …)`.
 * `master` is the ISV parent's credentials (or an async provider, e.g. one reading Secrets
 * Manager); `baseUrl` comes from TWILIO_BASE_URL and is unset for real Twilio. Every call goes
 * through one {@link TwilioRequestClient} (base-URL rewrite + retry) shared by all cached SDK
 * clients, and every failure leaves as a typed error from `./errors` with the credentials
 * scrubbed.
 *
 * Only the areas passed in are imported by the caller, so a function's bundle carries the SDK
 * resources it calls and no others (the full SDK client would add every Twilio API, ~3 MB).
 */
import type { MasterCredentials, SubaccountCredentials, TwilioGateway } from './gateway';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../observability';
import { toTwilioError, TwilioPermanentError } from './errors';
import { TwilioRequestClient, type RetryLog } from './request-client';
import type { RetryOptions } from './retry';
import { TwilioClientCache } from './sdk/clients';
import type { SdkContext } from './sdk/context';

/**
 * Reads the master credentials; `refresh` asks for the stored value itself, past any cache (the
 * secret may have been rotated since it was cached).
 */
export type MasterProvider = (options?: { refresh?: boolean }) => Promise<MasterCredentials>;

export interface SdkTwilioGatewayOptions {
  master: MasterCredentials | MasterProvider;
  /** After an authentication failure re-read the master at most this often (default 60 s): a wrong secret costs one read a minute, not one per call. */
  masterRefreshIntervalMs?: number;
  /** Milliseconds since the epoch, for the refresh interval; injectable for tests. */
  now?: () => number;
  /** TWILIO_BASE_URL; unset = real Twilio. */
  baseUrl?: string;
  timeoutMs?: number;
  retry?: RetryOptions;
  retryNonIdempotent?: boolean;
  /** Receives one line per retry; defaults to the shared Powertools logger. */
  log?: RetryLog;
  /** Told of each throttled answer; defaults to counting it in the TwilioThrottled metric. */
  onThrottled?: () => void;
  maxCachedClients?: number;
}

/** Twilio answers throttled (429 / 20429), counted per function: operators alarm on its rate. */
export const TWILIO_THROTTLED_METRIC = 'TwilioThrottled';

/** One area of the gateway (e.g. `messagesAdapter`): its methods, built on the shared clients. */
export type SdkArea = (ctx: SdkContext) => Partial<TwilioGateway>;

/** What the given areas provide together. */
export type GatewayOf<A extends readonly SdkArea[]> = A extends readonly [(ctx: SdkContext) => infer P, ...infer Rest extends readonly SdkArea[]]
  ? P & GatewayOf<Rest>
  : object;

export interface SdkTwilio {
  /** A gateway of the given areas; gateways of one `SdkTwilio` share its clients and connections. */
  gateway<A extends readonly SdkArea[]>(...areas: A): GatewayOf<A>;
}

function isCredentials(value: unknown): value is SubaccountCredentials {
  return typeof value === 'object' && value !== null && typeof (value as SubaccountCredentials).authToken === 'string';
}

/** The token and the Basic credential built from it: either would let a reader call Twilio. */
function secretsOf(creds: SubaccountCredentials): string[] {
  return [creds.authToken, Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')];
}

const isAuthFailure = (error: unknown) => error instanceof TwilioPermanentError && (error.status === 401 || error.code === 20003);

/** Decides whether a call Twilio refused as unauthenticated may be retried with re-read master credentials. */
type MasterRecovery = (generationAtStart: number) => Promise<boolean>;

/**
 * Wraps every gateway method once so SDK and transport failures become typed errors. The tokens
 * in play for the call are scrubbed from messages. A method called without credentials acts as the
 * master (the port's convention); when Twilio refuses it as unauthenticated, the master secret may
 * have been rotated, so the call is retried once if `recover` finds newer master credentials.
 */
function withTypedErrors<G extends object>(gateway: G, masterCredentials: () => SubaccountCredentials | undefined, generation: () => number, recover: MasterRecovery): G {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(gateway) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    const typed = async (args: unknown[]) => {
      try {
        return await method(...args);
      } catch (error) {
        const master = masterCredentials();
        const secrets = [...args.filter(isCredentials), ...(master ? [master] : [])].flatMap(secretsOf);
        throw toTwilioError(error, secrets);
      }
    };
    wrapped[name] = async (...args: unknown[]) => {
      const startedWith = generation();
      try {
        return await typed(args);
      } catch (error) {
        if (!isAuthFailure(error) || args.some(isCredentials) || !(await recover(startedWith))) throw error;
        return typed(args);
      }
    };
  }
  return wrapped as G;
}

export function createSdkTwilio(options: SdkTwilioGatewayOptions): SdkTwilio {
  const http = new TwilioRequestClient({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    retryNonIdempotent: options.retryNonIdempotent,
    log: options.log ?? logger,
    onThrottled: options.onThrottled ?? (() => metrics.addMetric(TWILIO_THROTTLED_METRIC, MetricUnit.Count, 1)),
  });
  const clients = new TwilioClientCache(http, options.maxCachedClients);
  let lastMaster: MasterCredentials | undefined = isCredentials(options.master) ? options.master : undefined;
  const ctx: SdkContext = {
    client: (creds) => clients.get(creds),
    async master() {
      const creds = typeof options.master === 'function' ? await options.master() : options.master;
      lastMaster = creds;
      return clients.get(creds);
    },
  };

  // Master recovery: `generation` counts re-reads that found a different token. Concurrent failures
  // share one re-read, a call that failed before a re-read finished simply retries, and otherwise
  // the secret is re-read at most once per interval.
  const provider = typeof options.master === 'function' ? options.master : undefined;
  const interval = options.masterRefreshIntervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let generation = 0;
  let lastRefreshAt = -Infinity;
  let refreshing: Promise<boolean> | undefined;
  const recover: MasterRecovery = async (startedWith) => {
    if (!provider) return false;
    if (generation !== startedWith) return true;
    if (!refreshing) {
      if (now() - lastRefreshAt < interval) return false;
      lastRefreshAt = now();
      const before = lastMaster?.authToken;
      const log = options.log ?? logger;
      log.warn('Twilio refused the master credentials; re-reading the master secret', { accountSid: lastMaster?.accountSid ?? null });
      refreshing = provider({ refresh: true })
        .then(
          (fresh) => {
            lastMaster = fresh;
            if (fresh.authToken === before) return false;
            generation++;
            return true;
          },
          // The caller keeps Twilio's refusal, the actionable error; the failed read is only logged.
          (error: unknown) => {
            log.warn('The master secret could not be re-read', { error: error instanceof Error ? error.name : 'unknown' });
            return false;
          },
        )
        .finally(() => {
          refreshing = undefined;
        });
    }
    return refreshing;
  };
  return {
    gateway: <A extends readonly SdkArea[]>(...areas: A) =>
      withTypedErrors(Object.assign({}, ...areas.map((area) => area(ctx))) as GatewayOf<A>, () => lastMaster, () => generation, recover),
  };
}

/** A gateway of the given areas on clients of its own. */
export function createSdkTwilioGateway<A extends readonly SdkArea[]>(options: SdkTwilioGatewayOptions, ...areas: A): GatewayOf<A> {
  return createSdkTwilio(options).gateway(...areas);
}

/**
 * The Twilio gateway on the official `twilio` SDK.
 *
 * Construction: `createSdkTwilioGateway({ master, baseUrl, retry })`. `master` is the ISV parent's
 * credentials (or an async provider, e.g. one reading Secrets Manager); `baseUrl` comes from
 * TWILIO_BASE_URL and is unset for real Twilio. Every call goes through one
 * {@link TwilioRequestClient} (base-URL rewrite + retry) shared by all cached SDK clients, and
 * every failure leaves as a typed error from `./errors` with the credentials scrubbed.
 */
import type { MasterCredentials, SubaccountCredentials, TwilioGateway } from './gateway';
import { logger } from '../observability';
import { toTwilioError } from './errors';
import { TwilioRequestClient, type RetryLog } from './request-client';
import type { RetryOptions } from './retry';
import { accountsAdapter } from './sdk/accounts';
import { TwilioClientCache } from './sdk/clients';
import type { SdkContext } from './sdk/context';
import { contentAdapter } from './sdk/content';
import { eventsAdapter } from './sdk/events';
import { messagesAdapter } from './sdk/messages';
import { messagingAdapter } from './sdk/messaging';
import { numbersAdapter } from './sdk/numbers';
import { trusthubAdapter } from './sdk/trusthub';
import { whatsappAdapter } from './sdk/whatsapp';

export interface SdkTwilioGatewayOptions {
  master: MasterCredentials | (() => Promise<MasterCredentials>);
  /** TWILIO_BASE_URL; unset = real Twilio. */
  baseUrl?: string;
  timeoutMs?: number;
  retry?: RetryOptions;
  retryNonIdempotent?: boolean;
  /** Receives one line per retry; defaults to the shared Powertools logger. */
  log?: RetryLog;
  maxCachedClients?: number;
}

function isCredentials(value: unknown): value is SubaccountCredentials {
  return typeof value === 'object' && value !== null && typeof (value as SubaccountCredentials).authToken === 'string';
}

/** The token and the Basic credential built from it: either would let a reader call Twilio. */
function secretsOf(creds: SubaccountCredentials): string[] {
  return [creds.authToken, Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')];
}

/**
 * Wraps every gateway method once so SDK and transport failures become typed errors. The tokens
 * in play for the call are scrubbed from messages.
 */
function withTypedErrors(gateway: TwilioGateway, masterCredentials: () => SubaccountCredentials | undefined): TwilioGateway {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(gateway) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } catch (error) {
        const master = masterCredentials();
        const secrets = [...args.filter(isCredentials), ...(master ? [master] : [])].flatMap(secretsOf);
        throw toTwilioError(error, secrets);
      }
    };
  }
  return wrapped as unknown as TwilioGateway;
}

export function createSdkTwilioGateway(options: SdkTwilioGatewayOptions): TwilioGateway {
  const http = new TwilioRequestClient({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    retryNonIdempotent: options.retryNonIdempotent,
    log: options.log ?? logger,
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
  const gateway: TwilioGateway = {
    ...accountsAdapter(ctx),
    ...trusthubAdapter(ctx),
    ...messagingAdapter(ctx),
    ...numbersAdapter(ctx),
    ...eventsAdapter(ctx),
    ...messagesAdapter(ctx),
    ...whatsappAdapter(ctx),
    ...contentAdapter(ctx),
  };
  return withTypedErrors(gateway, () => lastMaster);
}

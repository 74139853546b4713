import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { config, required } from '../config';
import { logger } from '../observability';
import type { MasterCredentials } from '../twilio/gateway';
import { createSdkTwilio } from '../twilio/sdk-gateway';

/** How long a warm function reuses the master secret before reading it again. */
export const MASTER_SECRET_MAX_AGE_SECONDS = 300;

/**
 * The ISV master credentials: from local configuration when set (local platform), otherwise from
 * Secrets Manager (JSON `{accountSid, authToken}`), cached by Powertools for five minutes so a
 * rotated secret is picked up without a deploy. `refresh` (after Twilio refused the cached value,
 * see sdk-gateway) reads the secret itself and refills the cache.
 */
export async function masterCredentials(options: { refresh?: boolean } = {}): Promise<MasterCredentials> {
  if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN) {
    return { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN };
  }
  const secret = await getSecret<MasterCredentials>(required('TWILIO_MASTER_SECRET_ARN'), {
    transform: 'json',
    maxAge: MASTER_SECRET_MAX_AGE_SECONDS,
    forceFetch: options.refresh === true,
  });
  if (!secret?.accountSid || !secret.authToken) throw new Error('The Twilio master secret must be JSON {accountSid, authToken}');
  return secret;
}

/**
 * The Twilio SDK clients of this process. Each wiring module asks it for a gateway of the areas
 * its functions call (`twilio.gateway(messagesAdapter)`), so a bundle carries only those SDK
 * resources, while every gateway shares one client per credential set and one connection pool.
 */
export const twilio = createSdkTwilio({
  master: masterCredentials,
  baseUrl: config.TWILIO_BASE_URL,
  log: logger,
});

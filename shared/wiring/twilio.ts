import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { config, required } from '../config';
import { logger } from '../observability';
import type { MasterCredentials, TwilioGateway } from '../twilio/gateway';
import { createSdkTwilioGateway } from '../twilio/sdk-gateway';

/**
 * The ISV master credentials: from local configuration when set (local platform), otherwise from
 * Secrets Manager (JSON `{accountSid, authToken}`), cached by Powertools for five minutes so a
 * rotated secret is picked up without a deploy.
 */
export async function masterCredentials(): Promise<MasterCredentials> {
  if (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN) {
    return { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN };
  }
  const secret = await getSecret<MasterCredentials>(required('TWILIO_MASTER_SECRET_ARN'), { transform: 'json', maxAge: 300 });
  if (!secret?.accountSid || !secret.authToken) throw new Error('The Twilio master secret must be JSON {accountSid, authToken}');
  return secret;
}

export const twilioGateway: TwilioGateway = createSdkTwilioGateway({
  master: masterCredentials,
  baseUrl: config.TWILIO_BASE_URL,
  log: logger,
});

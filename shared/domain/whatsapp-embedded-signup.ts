import { z } from 'zod';

/**
 * How a front end gets a customer's WhatsApp Business Account to register a sender under: Meta's
 * Embedded Signup, run with the platform's Meta app, hands it the `waba_id` (and the phone number
 * id) the business chose or created. Without a Meta app configured (the local platform, a test
 * stage) there is nothing to run it with, and the front end simulates the hand-off instead: the
 * Twilio sandbox accepts any WABA id.
 */
export const EmbeddedSignupConfigSchema = z
  .discriminatedUnion('mode', [
    z
      .object({
        mode: z.literal('meta').describe("Run Meta's Embedded Signup with these"),
        appId: z.string().describe('The Meta app id, for `FB.init({appId})`'),
        configId: z.string().describe('The Facebook Login for Business configuration id, for `FB.login({config_id})`'),
        graphApiVersion: z.string().describe('For `FB.init({version})`, e.g. v21.0'),
      })
      .describe("The platform's Meta app"),
    z
      .object({ mode: z.literal('simulated').describe('No Meta app is configured: simulate the hand-off; the Twilio sandbox accepts any WABA id') })
      .describe('No Meta app'),
  ])
  .describe('How to run WhatsApp Embedded Signup for this platform');
export type EmbeddedSignupConfig = z.infer<typeof EmbeddedSignupConfigSchema>;

interface MetaSettings {
  META_APP_ID?: string;
  META_EMBEDDED_SIGNUP_CONFIG_ID?: string;
}

/** Meta's Embedded Signup runs when both the app and its configuration are set; one alone is not enough to run it. */
export const metaEmbeddedSignupConfigured = (settings: MetaSettings): boolean => !!settings.META_APP_ID && !!settings.META_EMBEDDED_SIGNUP_CONFIG_ID;

/** The Embedded Signup a configuration allows. */
export function embeddedSignupOf(config: MetaSettings & { META_GRAPH_API_VERSION: string }): EmbeddedSignupConfig {
  return config.META_APP_ID && config.META_EMBEDDED_SIGNUP_CONFIG_ID
    ? { mode: 'meta', appId: config.META_APP_ID, configId: config.META_EMBEDDED_SIGNUP_CONFIG_ID, graphApiVersion: config.META_GRAPH_API_VERSION }
    : { mode: 'simulated' };
}

import type { TwilioGateway, WhatsAppProfile, WhatsAppSender, WhatsAppWebhook } from '../gateway';
import { requestJson, type SdkContext } from './context';
import { defined, list, str } from './values';

type WhatsAppPort = Pick<TwilioGateway, 'createWhatsAppSender' | 'fetchWhatsAppSender' | 'updateWhatsAppSender' | 'deleteWhatsAppSender'>;

const SENDERS = 'https://messaging.twilio.com/v2/Channels/Senders';

/**
 * The Senders API takes snake_case JSON; the SDK passes its camelCase-typed params through
 * unchanged, so these calls build the wire body themselves and go through `client.request`.
 */
function profileBody(profile: Partial<WhatsAppProfile>): Record<string, unknown> {
  return defined({
    name: profile.name,
    about: profile.about,
    address: profile.address,
    logo_url: profile.logoUrl,
    vertical: profile.vertical,
    websites: profile.websites,
    emails: profile.emails,
  });
}

function webhookBody(webhook: WhatsAppWebhook): Record<string, unknown> {
  return defined({
    callback_url: webhook.callbackUrl,
    callback_method: webhook.callbackMethod ?? 'POST',
    fallback_url: webhook.fallbackUrl,
    fallback_method: webhook.fallbackUrl ? 'POST' : undefined,
    status_callback_url: webhook.statusCallbackUrl,
    status_callback_method: webhook.statusCallbackUrl ? 'POST' : undefined,
  });
}

function toSender(raw: unknown): WhatsAppSender {
  const s = (raw ?? {}) as Record<string, unknown>;
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  return {
    sid: String(s.sid),
    senderId: String(s.sender_id),
    status: String(s.status),
    offlineReasons: list(s.offline_reasons).map((r) => {
      const reason = (r ?? {}) as Record<string, unknown>;
      return { code: str(reason.code), message: str(reason.message) };
    }),
    qualityRating: str(properties.quality_rating),
    messagingLimit: str(properties.messaging_limit),
  };
}

export function whatsappAdapter(ctx: SdkContext): WhatsAppPort {
  return {
    async createWhatsAppSender(creds, input) {
      const body = {
        sender_id: input.senderId,
        configuration: defined({ waba_id: input.wabaId, verification_method: input.verificationMethod }),
        profile: profileBody(input.profile),
        webhook: webhookBody(input.webhook),
      };
      return toSender(await requestJson(ctx.client(creds), 'post', SENDERS, body));
    },
    async fetchWhatsAppSender(creds, senderSid) {
      return toSender(await requestJson(ctx.client(creds), 'get', `${SENDERS}/${encodeURIComponent(senderSid)}`));
    },
    async updateWhatsAppSender(creds, senderSid, update) {
      const body = defined({
        configuration: update.verificationCode === undefined ? undefined : { verification_code: update.verificationCode },
        profile: update.profile ? profileBody(update.profile) : undefined,
        webhook: update.webhook ? webhookBody(update.webhook) : undefined,
      });
      return toSender(await requestJson(ctx.client(creds), 'post', `${SENDERS}/${encodeURIComponent(senderSid)}`, body));
    },
    async deleteWhatsAppSender(creds, senderSid) {
      await requestJson(ctx.client(creds), 'delete', `${SENDERS}/${encodeURIComponent(senderSid)}`);
    },
  };
}

import type { SubaccountCredentials, TwilioGateway, WhatsAppProfile, WhatsAppSender, WhatsAppWebhook } from '../gateway';
import type V1 from 'twilio/lib/rest/messaging/V1';
import type V2 from 'twilio/lib/rest/messaging/V2';
import { ChannelsSenderListInstance, type MessagingV2ChannelsSenderRequestsCreate, type MessagingV2ChannelsSenderRequestsUpdate } from 'twilio/lib/rest/messaging/v2/channelsSender';
import { ChannelSenderListInstance } from 'twilio/lib/rest/messaging/v1/service/channelSender';
import { sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';
import { defined, list, str } from './values';

type WhatsAppPort = Pick<
  TwilioGateway,
  | 'createWhatsAppSender'
  | 'fetchWhatsAppSender'
  | 'updateWhatsAppSender'
  | 'deleteWhatsAppSender'
  | 'listWhatsAppSenders'
  | 'attachWhatsAppSenderToService'
  | 'detachWhatsAppSenderFromService'
>;

/**
 * The Senders API takes snake_case JSON. The SDK's `channelsSenders` sends the object it is given
 * as the JSON body unchanged while its typings describe camelCase keys, so the wire body is built
 * here with the spec's keys (the contract test holds it to the spec) and the SDK's typed answer
 * (camelCase, nested classes) is read back.
 */
function profileBody(profile: Partial<WhatsAppProfile>): Record<string, unknown> {
  return defined({
    name: profile.name,
    about: profile.about,
    address: profile.address,
    description: profile.description,
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

interface SdkSender {
  sid?: string | null;
  senderId?: string | null;
  status?: string | null;
  configuration?: { wabaId?: string | null } | null;
  properties?: { qualityRating?: string | null; messagingLimit?: string | null } | null;
  offlineReasons?: Array<{ code?: string | null; message?: string | null }> | null;
}

function toSender(s: SdkSender): WhatsAppSender {
  return {
    sid: String(s.sid),
    senderId: String(s.senderId),
    status: String(s.status),
    offlineReasons: list(s.offlineReasons).map((r) => {
      const reason = (r ?? {}) as { code?: unknown; message?: unknown };
      return { code: str(reason.code), message: str(reason.message) };
    }),
    qualityRating: str(s.properties?.qualityRating),
    messagingLimit: str(s.properties?.messagingLimit),
    wabaId: str(s.configuration?.wabaId),
  };
}

const v1 = sdkVersion<V1>(TWILIO_HOSTS.messaging, 'v1');
const v2 = sdkVersion<V2>(TWILIO_HOSTS.messaging, 'v2');

/** WhatsApp senders (messaging v2) and their place in a messaging service (messaging v1), with the subaccount's credentials. */
export function whatsappAdapter(ctx: SdkContext): WhatsAppPort {
  const senders = (creds: SubaccountCredentials) => ChannelsSenderListInstance(v2(ctx.client(creds)));
  const serviceSenders = (creds: SubaccountCredentials, serviceSid: string) => ChannelSenderListInstance(v1(ctx.client(creds)), serviceSid);
  return {
    async createWhatsAppSender(creds, input) {
      const body = {
        sender_id: input.senderId,
        configuration: defined({ waba_id: input.wabaId, verification_method: input.verificationMethod }),
        profile: profileBody(input.profile),
        webhook: webhookBody(input.webhook),
      };
      return toSender(await senders(creds).create(body as unknown as MessagingV2ChannelsSenderRequestsCreate));
    },
    async fetchWhatsAppSender(creds, senderSid) {
      return toSender(await senders(creds)(senderSid).fetch());
    },
    async updateWhatsAppSender(creds, senderSid, update) {
      const body = defined({
        configuration: update.verificationCode === undefined ? undefined : { verification_code: update.verificationCode },
        profile: update.profile ? profileBody(update.profile) : undefined,
        webhook: update.webhook ? webhookBody(update.webhook) : undefined,
      });
      return toSender(await senders(creds)(senderSid).update(body as unknown as MessagingV2ChannelsSenderRequestsUpdate));
    },
    async deleteWhatsAppSender(creds, senderSid) {
      await senders(creds)(senderSid).remove();
    },
    async listWhatsAppSenders(creds) {
      return (await senders(creds).list({ channel: 'whatsapp', pageSize: 50, limit: 200 })).map(toSender);
    },
    async attachWhatsAppSenderToService(creds, serviceSid, senderSid) {
      const created = await serviceSenders(creds, serviceSid).create({ sid: senderSid });
      return { sid: created.sid, messagingServiceSid: created.messagingServiceSid, sender: str(created.sender) };
    },
    async detachWhatsAppSenderFromService(creds, serviceSid, senderSid) {
      await serviceSenders(creds, serviceSid)(senderSid).remove();
    },
  };
}

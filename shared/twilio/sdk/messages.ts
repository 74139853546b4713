import type { Message, SubaccountCredentials, TwilioGateway } from '../gateway';
import type V2010 from 'twilio/lib/rest/api/V2010';
import { MessageListInstance } from 'twilio/lib/rest/api/v2010/account/message';
import { sdkVersion, TWILIO_HOSTS, type SdkContext } from './context';
import { date, defined, num, str } from './values';

export type MessagesPort = Pick<TwilioGateway, 'sendMessage' | 'fetchMessage' | 'cancelMessage'>;

interface SdkMessage {
  sid: string;
  status: string;
  to: string;
  from?: string | null;
  messagingServiceSid?: string | null;
  direction?: string | null;
  numSegments?: string | number | null;
  errorCode?: number | null;
  errorMessage?: string | null;
  price?: string | null;
  priceUnit?: string | null;
  dateCreated?: Date | null;
  dateSent?: Date | null;
}

function toMessage(m: SdkMessage): Message {
  return {
    sid: m.sid,
    status: m.status,
    to: m.to,
    from: str(m.from),
    messagingServiceSid: str(m.messagingServiceSid),
    direction: str(m.direction),
    numSegments: num(m.numSegments),
    errorCode: num(m.errorCode),
    errorMessage: str(m.errorMessage),
    price: str(m.price),
    priceUnit: str(m.priceUnit),
    dateCreated: date(m.dateCreated),
    dateSent: date(m.dateSent),
  };
}

const api = sdkVersion<V2010>(TWILIO_HOSTS.api, '2010-04-01');

export function messagesAdapter(ctx: SdkContext): MessagesPort {
  const messages = (creds: SubaccountCredentials) => MessageListInstance(api(ctx.client(creds)), creds.accountSid);
  return {
    async sendMessage(creds, input) {
      const created = await messages(creds).create(
        defined({
          to: input.to,
          from: input.from,
          messagingServiceSid: input.messagingServiceSid,
          body: input.body,
          mediaUrl: input.mediaUrls,
          contentSid: input.contentSid,
          // Twilio expects the variables as a JSON string, not as form fields.
          contentVariables: input.contentVariables ? JSON.stringify(input.contentVariables) : undefined,
          statusCallback: input.statusCallback,
          validityPeriod: input.validityPeriodSeconds,
          sendAt: input.sendAt,
          scheduleType: input.sendAt ? 'fixed' : undefined,
        }) as Parameters<ReturnType<typeof messages>['create']>[0],
      );
      return toMessage(created);
    },
    async fetchMessage(creds, messageSid) {
      return toMessage(await messages(creds)(messageSid).fetch());
    },
    async cancelMessage(creds, messageSid) {
      return toMessage(await messages(creds)(messageSid).update({ status: 'canceled' }));
    },
  };
}

import type { ContentApproval, TwilioGateway } from '../gateway';
import { requestJson, type SdkContext } from './context';
import { defined, str } from './values';

type ContentPort = Pick<TwilioGateway, 'createContentTemplate' | 'requestWhatsAppApproval' | 'fetchContentApproval'>;

const CONTENT = 'https://content.twilio.com/v1/Content';

function toApproval(raw: unknown): ContentApproval {
  const a = (raw ?? {}) as Record<string, unknown>;
  return { name: str(a.name), category: str(a.category), status: str(a.status), rejectionReason: str(a.rejection_reason) };
}

/**
 * The SDK sends whatever object `contents.create` receives as the JSON body, while its typings
 * describe camelCase keys Twilio does not accept; the spec's snake_case body is built here and
 * sent through `client.request` instead.
 */
export function contentAdapter(ctx: SdkContext): ContentPort {
  return {
    async createContentTemplate(creds, input) {
      const body = defined({ friendly_name: input.friendlyName, language: input.language, variables: input.variables, types: input.types });
      const created = (await requestJson(ctx.client(creds), 'post', CONTENT, body)) as Record<string, unknown>;
      return { sid: String(created.sid), friendlyName: str(created.friendly_name), language: str(created.language) };
    },
    async requestWhatsAppApproval(creds, contentSid, request) {
      const uri = `${CONTENT}/${encodeURIComponent(contentSid)}/ApprovalRequests/whatsapp`;
      return toApproval(await requestJson(ctx.client(creds), 'post', uri, { name: request.name, category: request.category }));
    },
    async fetchContentApproval(creds, contentSid) {
      const uri = `${CONTENT}/${encodeURIComponent(contentSid)}/ApprovalRequests`;
      const fetched = (await requestJson(ctx.client(creds), 'get', uri)) as Record<string, unknown>;
      return toApproval(fetched.whatsapp);
    },
  };
}

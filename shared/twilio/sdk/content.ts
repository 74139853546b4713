import type { ContentApproval, ContentTemplate, TwilioGateway } from '../gateway';
import { requestJson, type SdkContext } from './context';
import { bool, defined, list, str } from './values';

type ContentPort = Pick<TwilioGateway, 'createContentTemplate' | 'requestWhatsAppApproval' | 'fetchContentApproval' | 'listContentTemplates' | 'deleteContentTemplate'>;

const CONTENT = 'https://content.twilio.com/v1/Content';
/** Twilio's largest page: a subaccount's templates are read in as few requests as possible. */
const PAGE_SIZE = 1000;
/** A bound on the pages followed (1,000 templates each), against a `next_page_url` that never ends. */
const MAX_PAGES = 20;

function toApproval(raw: unknown): ContentApproval {
  const a = (raw ?? {}) as Record<string, unknown>;
  return { name: str(a.name), category: str(a.category), allowCategoryChange: bool(a.allow_category_change), status: str(a.status), rejectionReason: str(a.rejection_reason) };
}

function toTemplate(raw: unknown): ContentTemplate {
  const c = (raw ?? {}) as Record<string, unknown>;
  return { sid: String(c.sid), friendlyName: str(c.friendly_name), language: str(c.language) };
}

/**
 * The SDK sends whatever object `contents.create` receives as the JSON body, while its typings
 * describe camelCase keys Twilio does not accept; the spec's snake_case body is built here and
 * sent through `client.request` instead (and the other Content calls go the same way, so the
 * area loads no SDK resource module).
 */
export function contentAdapter(ctx: SdkContext): ContentPort {
  const contentUri = (sid: string) => `${CONTENT}/${encodeURIComponent(sid)}`;
  return {
    async createContentTemplate(creds, input) {
      const body = defined({ friendly_name: input.friendlyName, language: input.language, variables: input.variables, types: input.types });
      return toTemplate(await requestJson(ctx.client(creds), 'post', CONTENT, body));
    },
    async requestWhatsAppApproval(creds, contentSid, request) {
      return toApproval(await requestJson(ctx.client(creds), 'post', `${contentUri(contentSid)}/ApprovalRequests/whatsapp`, { name: request.name, category: request.category }));
    },
    async fetchContentApproval(creds, contentSid) {
      const fetched = (await requestJson(ctx.client(creds), 'get', `${contentUri(contentSid)}/ApprovalRequests`)) as Record<string, unknown>;
      return toApproval(fetched.whatsapp);
    },
    async listContentTemplates(creds) {
      const client = ctx.client(creds);
      const out: ContentTemplate[] = [];
      let uri: string | null = `${CONTENT}?PageSize=${PAGE_SIZE}`;
      for (let page = 0; uri && page < MAX_PAGES; page++) {
        const body = (await requestJson(client, 'get', uri)) as { contents?: unknown; meta?: { next_page_url?: unknown } };
        out.push(...list(body.contents).map(toTemplate));
        uri = str(body.meta?.next_page_url);
      }
      return out;
    },
    async deleteContentTemplate(creds, contentSid) {
      await requestJson(ctx.client(creds), 'delete', contentUri(contentSid));
    },
  };
}

import type { QueueName } from '../queue/queues';
import type { WebhookKind } from './envelope';

/** Which queue each webhook kind feeds, and how its body is signed. */
export const WEBHOOK_ROUTES: Readonly<Record<WebhookKind, { readonly queue: QueueName; readonly format: 'form' | 'json' }>> = {
  inbound: { queue: 'inbound-messages', format: 'form' },
  status: { queue: 'status-callbacks', format: 'form' },
  events: { queue: 'twilio-events', format: 'json' },
  trusthub: { queue: 'twilio-events', format: 'form' },
};

/** The canonical URL of a receiver: the catalog's function URL name under WEBHOOK_BASE_URL. */
export function webhookUrl(baseUrl: string, kind: WebhookKind): string {
  return `${baseUrl.replace(/\/+$/, '')}/${kind}`;
}

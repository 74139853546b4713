import type { RuleBook, WebhookKind } from '../core/rules';
import type { SidFactory } from '../core/sids';
import { signForm, signUrl, urlWithBodyHash } from './signature';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Delivers one webhook and reports the HTTP status the receiver answered. */
export type WebhookDispatch = (req: WebhookRequest) => Promise<{ status: number }>;

export interface WebhookDelivery {
  seq: number;
  at: number;
  kind: WebhookKind;
  accountSid: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Form parameters, for form-encoded deliveries. */
  params?: Record<string, string>;
  /** Parsed JSON, for Event Streams deliveries. */
  json?: unknown;
  outcome: 'delivered' | 'dropped' | 'error';
  status: number | null;
  error?: string;
}

/** Real HTTP POST, Twilio's 15 s budget. */
export const fetchDispatch: WebhookDispatch = async (req) => {
  const response = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(15_000) });
  await response.arrayBuffer();
  return { status: response.status };
};

/**
 * Signs, records and sends webhooks. Scenario rules may drop a delivery (recorded, never sent — to
 * exercise "lost event → polling") or send it twice with the same idempotency token.
 */
export class WebhookSender {
  private deliveries: WebhookDelivery[] = [];
  private seq = 0;

  constructor(
    private readonly dispatch: WebhookDispatch,
    private readonly rules: RuleBook,
    private readonly sids: SidFactory,
    private readonly now: () => number,
    private readonly tokenOf: (accountSid: string) => string | undefined,
  ) {}

  async sendForm(kind: WebhookKind, accountSid: string, configuredUrl: string, params: Record<string, string>): Promise<void> {
    const url = withoutFragment(configuredUrl);
    const token = this.tokenOf(accountSid) ?? '';
    const body = new URLSearchParams(params).toString();
    const headers = this.headers('application/x-www-form-urlencoded', signForm(token, url, params));
    await this.deliver({ kind, accountSid, url, headers, body, params });
  }

  async sendJson(kind: WebhookKind, accountSid: string, configuredUrl: string, payload: unknown): Promise<void> {
    const body = JSON.stringify(payload);
    const url = urlWithBodyHash(withoutFragment(configuredUrl), body);
    const token = this.tokenOf(accountSid) ?? '';
    const headers = this.headers('application/json', signUrl(token, url));
    await this.deliver({ kind, accountSid, url, headers, body, json: payload });
  }

  list(filter: { kind?: WebhookKind; accountSid?: string } = {}): WebhookDelivery[] {
    return this.deliveries.filter((d) => (!filter.kind || d.kind === filter.kind) && (!filter.accountSid || d.accountSid === filter.accountSid));
  }

  clear(): void {
    this.deliveries = [];
  }

  private headers(contentType: string, signature: string): Record<string, string> {
    return {
      'Content-Type': contentType,
      'User-Agent': 'TwilioProxy/1.1',
      'X-Twilio-Signature': signature,
      'I-Twilio-Idempotency-Token': this.sids.secret('idempotency', 36),
    };
  }

  private async deliver(base: Omit<WebhookDelivery, 'seq' | 'at' | 'outcome' | 'status'>): Promise<void> {
    const action = this.rules.webhookAction(base.kind, base.url, base.body);
    if (action === 'drop') {
      this.deliveries.push({ ...base, seq: ++this.seq, at: this.now(), outcome: 'dropped', status: null });
      return;
    }
    const attempts = action === 'duplicate' ? 2 : 1;
    for (let i = 0; i < attempts; i++) {
      const record: WebhookDelivery = { ...base, seq: ++this.seq, at: this.now(), outcome: 'delivered', status: null };
      this.deliveries.push(record);
      try {
        record.status = (await this.dispatch({ url: base.url, headers: base.headers, body: base.body })).status;
      } catch (err) {
        record.outcome = 'error';
        record.error = err instanceof Error ? err.message : String(err);
      }
    }
  }
}

/** Twilio reads connection overrides from the fragment and never sends it. */
function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash >= 0 ? url.slice(0, hash) : url;
}

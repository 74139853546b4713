import type { RegistrationError } from './state';

/** Steps whose outcome a scenario can force. */
export type LifecycleStep =
  | 'customer-profile'
  | 'trust-product'
  | 'evaluation'
  | 'brand'
  | 'campaign'
  | 'number-registration'
  | 'number-purchase'
  | 'sender'
  | 'template'
  /** A sent message's lifecycle: `fail` ends it failed/undelivered with the code, `stall` leaves it at `sent` (no delivery receipt). */
  | 'message'
  /** The create request itself: `fail` refuses it synchronously (HTTP 400 with the code, nothing stored), as Twilio refuses an opted-out recipient. */
  | 'message-request'
  /** The create request's answer: `stall` stores the message and runs its lifecycle but holds the HTTP response past any client timeout. */
  | 'message-response';

export type WebhookKind = 'inbound' | 'status-callback' | 'event-stream' | 'trusthub';

/**
 * Scenario rules. `times` limits how often a rule applies (omitted = every time); `accountSid`
 * narrows a lifecycle rule to one account. Throttle and server-error rules match `method` and a
 * `path` glob (`*` = one path segment's characters, `**` = anything) against the end of
 * `<host><path>`, e.g. `/v1/a2p/BrandRegistrations` or `api.twilio.com/2010-04-01/Accounts/*\/Messages.json`.
 */
export type SandboxRule =
  | { type: 'fail'; step: LifecycleStep; errors?: RegistrationError[]; errorCode?: number; times?: number; accountSid?: string }
  | { type: 'stall'; step: LifecycleStep; times?: number; accountSid?: string }
  | { type: 'throttle'; path: string; method?: string; times: number }
  | { type: 'server-error'; path: string; method?: string; times: number }
  /** `bodyContains` narrows it to one resource's webhooks, e.g. a brand's SID in its Event Streams events. */
  | { type: 'webhook'; action: 'drop' | 'duplicate'; kind?: WebhookKind; urlContains?: string; bodyContains?: string; times?: number }
  | { type: 'status-callbacks'; reorder?: boolean; duplicate?: boolean; times?: number }
  /**
   * What Meta does to a WhatsApp template beyond approving or rejecting it: `recategorize` approves
   * it under `category` (or rejects it when the submission did not allow a category change),
   * `pause` pauses it a review delay after approval, `disable` pauses and then disables it.
   */
  | { type: 'template'; action: 'recategorize' | 'pause' | 'disable'; category?: string; times?: number; accountSid?: string };

export type StoredRule = SandboxRule & { id: number };

export type StepDecision =
  | { outcome: 'succeed' }
  | { outcome: 'stall' }
  | { outcome: 'fail'; errors?: RegistrationError[]; errorCode?: number };

/**
 * Input markers, written into a business name, description or message body, that force an outcome
 * without the control API. A fail marker may carry Twilio's error code: `[fail:message:30007]`.
 */
const MARKERS: Array<{ pattern: RegExp; decision: (match: RegExpMatchArray) => StepDecision }> = [
  { pattern: /\[fail:([a-z-]+)(?::(\d+))?\]/gi, decision: (match) => (match[2] ? { outcome: 'fail', errorCode: Number(match[2]) } : { outcome: 'fail' }) },
  { pattern: /\[stall:([a-z-]+)\]/gi, decision: () => ({ outcome: 'stall' }) },
];

export class RuleBook {
  private rules: StoredRule[] = [];
  private nextId = 1;

  add(rule: SandboxRule): StoredRule {
    const stored = { ...rule, id: this.nextId++ } as StoredRule;
    this.rules.push(stored);
    return stored;
  }

  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  list(): StoredRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
  }

  /** Decide a lifecycle step: explicit rules first, then markers found in the given texts. */
  decide(step: LifecycleStep, accountSid: string, texts: Array<string | null | undefined>): StepDecision {
    const rule = this.take(
      (r): r is Extract<StoredRule, { type: 'fail' | 'stall' }> =>
        (r.type === 'fail' || r.type === 'stall') && r.step === step && (!r.accountSid || r.accountSid === accountSid),
    );
    if (rule?.type === 'fail') return { outcome: 'fail', errors: rule.errors, errorCode: rule.errorCode };
    if (rule?.type === 'stall') return { outcome: 'stall' };
    return decideFromMarkers(step, texts);
  }

  httpFault(method: string, hostPath: string): 'throttle' | 'server-error' | undefined {
    const rule = this.take(
      (r): r is Extract<StoredRule, { type: 'throttle' | 'server-error' }> =>
        (r.type === 'throttle' || r.type === 'server-error') &&
        (!r.method || r.method.toUpperCase() === method) &&
        globMatchesEnd(r.path, hostPath),
    );
    return rule?.type;
  }

  webhookAction(kind: WebhookKind, url: string, body = ''): 'drop' | 'duplicate' | undefined {
    const rule = this.take(
      (r): r is Extract<StoredRule, { type: 'webhook' }> =>
        r.type === 'webhook' && (!r.kind || r.kind === kind) && (!r.urlContains || url.includes(r.urlContains)) && (!r.bodyContains || body.includes(r.bodyContains)),
    );
    return rule?.action;
  }

  /**
   * What happens to a template after its review: a `template` rule first, else the markers
   * `[recategorize:MARKETING]`, `[pause:template]` and `[disable:template]` in its texts.
   */
  templateAction(accountSid: string, texts: Array<string | null | undefined>): { action: 'recategorize' | 'pause' | 'disable'; category?: string } | undefined {
    const rule = this.take((r): r is Extract<StoredRule, { type: 'template' }> => r.type === 'template' && (!r.accountSid || r.accountSid === accountSid));
    if (rule) return { action: rule.action, category: rule.category };
    const joined = texts.filter(Boolean).join('\n');
    const recategorize = /\[recategori[sz]e:([A-Z_]+)\]/i.exec(joined);
    if (recategorize) return { action: 'recategorize', category: recategorize[1]!.toUpperCase() };
    if (/\[disable:template\]/i.test(joined)) return { action: 'disable' };
    if (/\[pause:template\]/i.test(joined)) return { action: 'pause' };
    return undefined;
  }

  statusCallbackShape(): { reorder: boolean; duplicate: boolean } {
    const rule = this.take((r): r is Extract<StoredRule, { type: 'status-callbacks' }> => r.type === 'status-callbacks');
    return { reorder: rule?.reorder ?? false, duplicate: rule?.duplicate ?? false };
  }

  /** Finds the first matching rule and spends one of its `times`. */
  private take<R extends StoredRule>(matches: (r: StoredRule) => r is R): R | undefined {
    const rule = this.rules.find(matches);
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) this.remove(rule.id);
    }
    return rule;
  }
}

export function decideFromMarkers(step: LifecycleStep, texts: Array<string | null | undefined>): StepDecision {
  const joined = texts.filter(Boolean).join('\n');
  if (step === 'evaluation' && /\[noncompliant\]/i.test(joined)) return { outcome: 'fail' };
  for (const marker of MARKERS) {
    for (const match of joined.matchAll(marker.pattern)) {
      if (match[1]?.toLowerCase() === step) return marker.decision(match);
    }
  }
  return { outcome: 'succeed' };
}

export function globMatchesEnd(glob: string, hostPath: string): boolean {
  const source = glob
    .split('**')
    .map((part) => part.split('*').map(escapeRegExp).join('[^/]*'))
    .join('.*');
  return new RegExp(`${source}$`).test(hostPath);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The one HTTP client every Twilio call goes through (SDK resource methods and `client.request`
 * alike), so base-URL redirection and retry each live in exactly one place.
 *
 * Retry safety: a throttled request (429 / 20429) was refused before Twilio acted, and a
 * connection that was never established sent nothing, so both are retried for every method.
 * A 5xx, timeout or reset on a POST is ambiguous (the create may have happened), so it is only
 * retried for idempotent methods unless `retryNonIdempotent` is set; otherwise it surfaces as a
 * `TwilioRetryableError` and the caller re-runs its step, which looks up before it creates.
 */
import RequestClient from 'twilio/lib/base/RequestClient';
import { isRetryableResponse, isTransientNetworkError, TOO_MANY_REQUESTS_CODE } from './errors';
import { resolveRetryOptions, retry, type Outcome, type RetryOptions } from './retry';

type RequestOptions<T> = RequestClient.RequestOptions<T>;
type HttpResponse<T> = Awaited<ReturnType<RequestClient['request']>> & { body: T };

export interface RetryLog {
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface TwilioHttpOptions {
  /** Unset = real Twilio; otherwise `https://<host>/<path>` is sent to `${baseUrl}/<host>/<path>`. */
  baseUrl?: string;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Also retry POSTs after 5xx, timeouts and resets (only safe when every caller looks up first). */
  retryNonIdempotent?: boolean;
  log?: RetryLog;
  /** Told of every answer Twilio throttled (429 / 20429), retried or not: the throttling rate operators alarm on. */
  onThrottled?: () => void;
}

const IDEMPOTENT = new Set(['get', 'head', 'delete', 'put', 'options']);
/** Failures that prove the request never reached Twilio. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/** Rewrites a Twilio URL for the base-URL layout; unchanged when no base URL is set. */
export function rewriteTwilioUrl(uri: string, baseUrl?: string): string {
  if (!baseUrl) return uri;
  const target = new URL(uri);
  return `${baseUrl.replace(/\/+$/, '')}/${target.host}${target.pathname}${target.search}`;
}

function bodyCode(body: unknown): number | null {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return null;
    }
  }
  const code = (parsed as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

export function shouldRetryTwilioCall(method: string, outcome: Outcome<{ statusCode: number; body: unknown }>, retryNonIdempotent = false): boolean {
  const idempotent = retryNonIdempotent || IDEMPOTENT.has(method.toLowerCase());
  if (outcome.ok) {
    const { statusCode, body } = outcome.value;
    if (!isRetryableResponse(statusCode, bodyCode(body))) return false;
    const throttled = statusCode === 429 || bodyCode(body) === TOO_MANY_REQUESTS_CODE;
    return throttled || idempotent;
  }
  if (!isTransientNetworkError(outcome.error)) return false;
  const code = (outcome.error as { code?: unknown }).code;
  return idempotent || (typeof code === 'string' && NEVER_SENT.has(code));
}

export class TwilioRequestClient extends RequestClient {
  private readonly baseUrl?: string;
  private readonly retryNonIdempotent: boolean;
  private readonly retryOptions: ReturnType<typeof resolveRetryOptions>;
  private readonly log?: RetryLog;
  private readonly onThrottled?: () => void;

  constructor(options: TwilioHttpOptions = {}) {
    // The SDK's own 429 retry stays off: it would retry below ours and double the budget.
    super({ timeout: options.timeoutMs ?? 10000, keepAlive: true, autoRetry: false });
    this.baseUrl = options.baseUrl;
    this.retryNonIdempotent = options.retryNonIdempotent ?? false;
    this.retryOptions = resolveRetryOptions(options.retry);
    this.log = options.log;
    this.onThrottled = options.onThrottled;
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<HttpResponse<TData>> {
    const uri = rewriteTwilioUrl(opts.uri, this.baseUrl);
    const { host, pathname } = new URL(opts.uri);
    return retry(
      async () => {
        const response = (await super.request({ ...opts, uri, headers: { ...opts.headers } })) as HttpResponse<TData>;
        if (response.statusCode === 429 || bodyCode(response.body) === TOO_MANY_REQUESTS_CODE) this.onThrottled?.();
        return response;
      },
      (outcome) => shouldRetryTwilioCall(opts.method, outcome, this.retryNonIdempotent),
      this.retryOptions,
      (outcome, { attempt, delayMs }) =>
        this.log?.warn('Twilio call retried', {
          method: opts.method.toUpperCase(),
          host,
          path: pathname,
          attempt,
          delayMs,
          status: outcome.ok ? outcome.value.statusCode : null,
          twilioCode: outcome.ok ? bodyCode(outcome.value.body) : null,
          networkError: outcome.ok ? null : String((outcome.error as { code?: unknown }).code ?? 'unknown'),
        }),
    );
  }
}

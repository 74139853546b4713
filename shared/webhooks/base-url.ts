import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { config } from '../config';

/**
 * The one place that knows the public base of the webhook receivers (`${base}/<name>` is what
 * Twilio is told to call and signs). WEBHOOK_BASE_URL, when set, wins: the local platform and the
 * tests set it. In AWS the base is the webhook distribution's URL, which the stack writes to an SSM
 * parameter at deploy time: a function cannot be given it in its environment, because the
 * distribution's origins are the receivers' own function URLs (a dependency cycle), so the
 * environment names the parameter (WEBHOOK_BASE_URL_PARAMETER, fixed per stage) instead.
 */
export type WebhookBaseUrl = () => Promise<string>;

/** A warm function rereads the parameter after this long: the value changes only when a deploy changes the domain. */
export const BASE_URL_MAX_AGE_SECONDS = 300;

/** The part of `fetch` the provider uses (tests pass their own). */
export type ExtensionFetch = (url: string, init: { headers: Record<string, string> }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/**
 * SSM parameters through the AWS Parameters and Secrets Lambda Extension (a layer the stack adds to
 * the functions that read one): its local HTTP endpoint calls ssm:GetParameter with the function's
 * own role. A Powertools provider, so caching (`maxAge`) is Powertools'; the extension's own cache
 * is off. Powertools' SSMProvider would need `@aws-sdk/client-ssm`, which the bundles do not carry.
 */
export class ExtensionParameterProvider extends BaseProvider {
  private readonly endpoint: { readonly port: number; readonly sessionToken?: string; readonly fetch?: ExtensionFetch };

  constructor(endpoint: ExtensionParameterProvider['endpoint']) {
    super({});
    this.endpoint = endpoint;
  }

  protected async _get(name: string): Promise<string> {
    const { port, sessionToken, fetch = globalThis.fetch as ExtensionFetch } = this.endpoint;
    if (!sessionToken) throw new Error('AWS_SESSION_TOKEN is not set: the Parameters and Secrets extension answers only inside Lambda');
    const response = await fetch(`http://localhost:${port}/systemsmanager/parameters/get?name=${encodeURIComponent(name)}`, {
      headers: { 'X-Aws-Parameters-Secrets-Token': sessionToken },
    });
    const text = await response.text();
    // The extension relays SSM's own error (ParameterNotFound, AccessDenied…) as the body.
    if (!response.ok) throw new Error(`the Parameters and Secrets extension answered ${response.status}: ${text.slice(0, 200)}`);
    let value: unknown;
    try {
      value = (JSON.parse(text) as { Parameter?: { Value?: unknown } }).Parameter?.Value;
    } catch {
      // reported below
    }
    if (typeof value !== 'string') throw new Error('the Parameters and Secrets extension answered without Parameter.Value');
    return value;
  }

  protected async _getMultiple(): Promise<never> {
    throw new Error('ExtensionParameterProvider reads single parameters only');
  }
}

const BASE_URL = /^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/;

/**
 * A base URL the stack wrote to an SSM parameter, through the provider's cache. Every failure is an
 * Error naming the parameter: a wrong value would hand out, or verify against, URLs that lead nowhere.
 */
export async function readBaseUrlParameter(
  parameters: Pick<BaseProvider, 'get'>,
  parameterName: string,
  { what, pattern, maxAgeSeconds }: { what: string; pattern: RegExp; maxAgeSeconds: number },
): Promise<string> {
  let value: unknown;
  try {
    value = await parameters.get(parameterName, { maxAge: maxAgeSeconds });
  } catch (error) {
    throw new Error(`The ${what} could not be read from SSM parameter ${parameterName}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new Error(`SSM parameter ${parameterName} must hold the ${what} (https://<host>), got ${JSON.stringify(value)?.slice(0, 100)}`);
  }
  return value;
}

export interface WebhookBaseUrlOptions {
  /** WEBHOOK_BASE_URL: an explicit base, used as given. */
  readonly override?: string;
  /** WEBHOOK_BASE_URL_PARAMETER: where the stack wrote the distribution's URL. */
  readonly parameterName?: string;
  readonly parameters: Pick<BaseProvider, 'get'>;
  readonly maxAgeSeconds?: number;
}

/**
 * The base URL, resolved on each call: the override at once, else the parameter through the
 * provider's cache. Every failure is an Error naming the parameter, so a receiver answers 500
 * (Twilio retries or uses its fallback URL) and a sender fails before calling Twilio, instead of
 * either verifying against, or handing Twilio, a wrong URL.
 */
export function webhookBaseUrlFrom(options: WebhookBaseUrlOptions): WebhookBaseUrl {
  const { override, parameterName, parameters, maxAgeSeconds = BASE_URL_MAX_AGE_SECONDS } = options;
  if (override) {
    const fixed = Promise.resolve(override);
    return () => fixed;
  }
  return async () => {
    if (!parameterName) throw new Error('Missing configuration: WEBHOOK_BASE_URL or WEBHOOK_BASE_URL_PARAMETER must be set for this function');
    return readBaseUrlParameter(parameters, parameterName, { what: 'webhook base URL', pattern: BASE_URL, maxAgeSeconds });
  };
}

/** The base URL of this process, from its configuration. */
export const webhookBaseUrl: WebhookBaseUrl = webhookBaseUrlFrom({
  override: config.WEBHOOK_BASE_URL,
  parameterName: config.WEBHOOK_BASE_URL_PARAMETER,
  parameters: new ExtensionParameterProvider({ port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, sessionToken: config.AWS_SESSION_TOKEN }),
});

/**
 * Meta's WhatsApp Embedded Signup, run with the platform's Meta app: Meta's JavaScript SDK opens
 * Meta's window, where the business signs in, picks or creates its WhatsApp Business Account and
 * number; Meta's window then posts the session's result (the WABA id and the phone number id) to
 * this one. The API registers the sender from the WABA id; the authorization code FB.login also
 * answers with is for a server that calls the Graph API itself, which this platform does not.
 */
export type EmbeddedSignupConfig = { mode: 'meta'; appId: string; configId: string; graphApiVersion: string } | { mode: 'simulated' };

export interface SignupResult {
  wabaId: string;
  phoneNumberId?: string;
}

interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents: boolean; xfbml: boolean; version: string }): void;
  login(callback: (response: { authResponse?: { code?: string } | null; status?: string }) => void, options: Record<string, unknown>): void;
}

declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

export const META_SDK_URL = 'https://connect.facebook.net/en_US/sdk.js';
/** Only Meta's own window may hand a result over. */
const META_ORIGINS = ['https://www.facebook.com', 'https://web.facebook.com'];

let sdk: Promise<FacebookSdk> | undefined;

/**
 * Loads Meta's SDK once. Called as soon as the page knows it will need it, so the click that
 * starts the sign-up opens Meta's window at once (a browser lets a click open a window, not a
 * script that finishes loading later).
 */
export function loadSdk({ appId, graphApiVersion: version }: Extract<EmbeddedSignupConfig, { mode: 'meta' }>): Promise<FacebookSdk> {
  sdk ??= new Promise<FacebookSdk>((resolve, reject) => {
    // The SDK calls fbAsyncInit once it has loaded: it must be in place before the script runs.
    window.fbAsyncInit = () => {
      window.FB!.init({ appId, autoLogAppEvents: true, xfbml: false, version });
      resolve(window.FB!);
    };
    const script = document.createElement('script');
    script.src = META_SDK_URL;
    script.async = true;
    script.crossOrigin = 'anonymous';
    script.onerror = () => {
      sdk = undefined;
      reject(new Error('Meta’s sign-up could not be loaded. Check your connection (or a blocker) and try again.'));
    };
    document.head.append(script);
  });
  return sdk;
}

/** Meta's session message, when `event` is one: `{type: 'WA_EMBEDDED_SIGNUP', event, data}`. */
function sessionInfo(event: MessageEvent): { event: string; data: Record<string, unknown> } | undefined {
  if (!META_ORIGINS.includes(event.origin)) return undefined;
  let message: unknown = event.data;
  try {
    if (typeof message === 'string') message = JSON.parse(message);
  } catch {
    return undefined;
  }
  const m = message as { type?: unknown; event?: unknown; data?: unknown } | null;
  if (!m || m.type !== 'WA_EMBEDDED_SIGNUP' || typeof m.event !== 'string') return undefined;
  return { event: m.event, data: (m.data ?? {}) as Record<string, unknown> };
}

/** Runs Meta's Embedded Signup; resolves with what Meta handed back, rejects when it was abandoned or failed. */
export async function runMetaSignup(config: Extract<EmbeddedSignupConfig, { mode: 'meta' }>): Promise<SignupResult> {
  const FB = await loadSdk(config);
  return new Promise<SignupResult>((resolve, reject) => {
    let outcome: SignupResult | Error | undefined;
    const listen = (event: MessageEvent) => {
      const info = sessionInfo(event);
      if (!info) return;
      if (info.event === 'FINISH' || info.event === 'FINISH_ONLY_WABA') {
        const wabaId = info.data.waba_id;
        outcome = typeof wabaId === 'string' && wabaId ? { wabaId, ...(typeof info.data.phone_number_id === 'string' && { phoneNumberId: info.data.phone_number_id }) } : new Error('Meta did not hand back a WhatsApp Business Account.');
      } else if (info.event === 'CANCEL') {
        const step = typeof info.data.current_step === 'string' ? ` (at ${info.data.current_step})` : '';
        outcome = new Error(`The sign-up with Meta was left before it finished${step}. Start it again when you are ready.`);
      } else if (info.event === 'ERROR') {
        outcome = new Error(`Meta reported an error: ${typeof info.data.error_message === 'string' ? info.data.error_message : 'unknown'}.`);
      }
    };
    addEventListener('message', listen);
    FB.login(
      (response) => {
        // Meta's window posts the session's result before it closes, so it is in by now.
        removeEventListener('message', listen);
        if (outcome instanceof Error) reject(outcome);
        else if (outcome) resolve(outcome);
        else reject(new Error(response.authResponse ? 'Meta did not hand back a WhatsApp Business Account.' : 'The sign-up with Meta was closed before it finished.'));
      },
      { config_id: config.configId, response_type: 'code', override_default_response_type: true, extras: { sessionInfoVersion: 3, setup: {} } },
    );
  });
}

/** A WABA id as Meta shapes them (15 digits), for the simulated hand-off: the Twilio sandbox accepts any. */
export function simulatedWabaId(): string {
  const digits = crypto.getRandomValues(new Uint32Array(2));
  return `10${String(digits[0]).padStart(10, '0').slice(0, 6)}${String(digits[1]).padStart(10, '0').slice(0, 7)}`;
}

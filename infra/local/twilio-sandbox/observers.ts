/**
 * Every API response the sandbox sends, to whoever listens in this process (the test layers hold
 * each one to Twilio's published specs). Nothing listens in `npm start`, and a listener's error
 * never reaches the caller of the sandbox.
 */
export interface SandboxExchange {
  readonly method: string;
  /** The Twilio host the request named, e.g. `api.twilio.com`. */
  readonly host: string;
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
}

export type SandboxObserver = (exchange: SandboxExchange) => void;

const observers = new Set<SandboxObserver>();

/** Registers `observer`; the returned function removes it. */
export function observeSandboxResponses(observer: SandboxObserver): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function notifySandboxObservers(exchange: SandboxExchange): void {
  for (const observer of observers) {
    try {
      observer(exchange);
    } catch {
      // An observer's failure is its own to report.
    }
  }
}

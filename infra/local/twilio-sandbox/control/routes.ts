import { TwilioError } from '../core/errors';
import type { SandboxRule, WebhookKind } from '../core/rules';
import type { AccountStatus } from '../core/state';
import type { ControlHandler } from '../server';
import type { TwilioSandbox } from '../sandbox';

type Result = { status: number; body?: unknown };
type Body = Record<string, unknown>;

/**
 * `/__sandbox/…` — JSON scenario control for tests, benchmarks and the local platform. Every route
 * is a thin shell over the programmatic method of the same name on the sandbox object.
 */
export function controlHandler(sandbox: TwilioSandbox): ControlHandler {
  const routes: Array<[string, RegExp, (m: RegExpExecArray, body: Body, query: URLSearchParams) => Promise<Result> | Result]> = [
    ['GET', /^\/health$/, () => ({ status: 200, body: { ok: true } })],
    ['GET', /^\/info$/, () => ({
      status: 200,
      body: { url: sandbox.url, masterAccountSid: sandbox.masterAccountSid, masterAuthToken: sandbox.masterAuthToken, primaryCustomerProfileSid: sandbox.primaryCustomerProfileSid, now: sandbox.now().toISOString() },
    })],
    ['GET', /^\/clock$/, () => ({ status: 200, body: { now: sandbox.now().toISOString(), pending: sandbox.pendingTransitions() } })],
    ['POST', /^\/clock\/advance$/, async (_m, body) => {
      const seconds = Number(body.seconds);
      if (!Number.isFinite(seconds) || seconds < 0) return { status: 400, body: { message: 'seconds must be a non-negative number' } };
      await sandbox.advance(seconds);
      return { status: 200, body: { now: sandbox.now().toISOString() } };
    }],
    ['GET', /^\/rules$/, () => ({ status: 200, body: { rules: sandbox.rules() } })],
    ['POST', /^\/rules$/, (_m, body) => ({ status: 201, body: { id: sandbox.addRule(body as unknown as SandboxRule) } })],
    ['DELETE', /^\/rules\/(\d+)$/, (m) => ({ status: sandbox.removeRule(Number(m[1])) ? 204 : 404 })],
    ['GET', /^\/requests$/, (_m, _b, q) => ({
      status: 200,
      body: { requests: sandbox.requests({ method: q.get('method') ?? undefined, host: q.get('host') ?? undefined, path: q.get('path') ?? undefined, accountSid: q.get('accountSid') ?? undefined }) },
    })],
    ['GET', /^\/webhooks$/, (_m, _b, q) => ({
      status: 200,
      body: { webhooks: sandbox.webhooks({ kind: (q.get('kind') as WebhookKind | null) ?? undefined, accountSid: q.get('accountSid') ?? undefined }) },
    })],
    ['POST', /^\/reset$/, () => {
      sandbox.reset();
      return { status: 204 };
    }],
    ['POST', /^\/inbound$/, async (_m, body) => ({
      status: 200,
      body: await sandbox.simulateInbound({
        from: String(body.from ?? ''), to: String(body.to ?? ''), body: String(body.body ?? ''),
        mediaUrls: Array.isArray(body.mediaUrls) ? body.mediaUrls.map(String) : undefined, profileName: typeof body.profileName === 'string' ? body.profileName : undefined,
      }),
    })],
    ['POST', /^\/brands\/(BN[0-9a-f]{32})\/otp$/, async (m) => {
      await sandbox.confirmBrandOtp(m[1]!);
      return { status: 204 };
    }],
    ['GET', /^\/senders\/(XE[0-9a-f]{32})\/verification-code$/, (m) => {
      const code = sandbox.whatsAppVerificationCode(m[1]!);
      return code ? { status: 200, body: { code } } : { status: 404, body: { message: 'the sender is not waiting for a verification code' } };
    }],
    ['GET', /^\/accounts\/(AC[0-9a-f]{32})$/, (m) => {
      const account = sandbox.account(m[1]!);
      return account ? { status: 200, body: account } : { status: 404, body: { message: 'unknown account' } };
    }],
    ['POST', /^\/accounts\/(AC[0-9a-f]{32})\/status$/, (m, body) => {
      sandbox.setAccountStatus(m[1]!, body.status as AccountStatus, { byTwilio: body.byTwilio === true });
      return { status: 200, body: sandbox.account(m[1]!) };
    }],
    ['POST', /^\/settings\/token-propagation$/, (_m, body) => {
      sandbox.setTokenPropagation(Number(body.seconds));
      return { status: 204 };
    }],
  ];

  return async (method, path, query, rawBody) => {
    const body = (rawBody && typeof rawBody === 'object' ? rawBody : {}) as Body;
    for (const [routeMethod, pattern, handle] of routes) {
      const match = pattern.exec(path);
      if (match && routeMethod === method) {
        try {
          return await handle(match, body, query);
        } catch (err) {
          if (err instanceof TwilioError) return { status: err.status, body: err.toBody() };
          return { status: 400, body: { message: err instanceof Error ? err.message : String(err) } };
        }
      }
    }
    return { status: 404, body: { message: `no control route ${method} ${path}` } };
  };
}

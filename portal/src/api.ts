/**
 * The portal speaks to the public API only, on its own origin, with the session cookie the
 * sign-in link set (never an API key). State-changing calls carry the CSRF token the API set in a
 * readable cookie, echoed in a header, which a page of another origin cannot read.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: Array<{ field: string; message: string }>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export interface PortalSession {
  scope: 'customer' | 'partner';
  customerId?: string;
  partnerName?: string;
  expiresAt: string;
  returnUrl?: string;
}

function csrfToken(): string | undefined {
  return document.cookie
    .split('; ')
    .find((c) => c.startsWith('sb_csrf='))
    ?.slice('sb_csrf='.length);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  return send<T>(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

/** A multipart/form-data request (a file upload); the browser writes the Content-Type with its boundary. */
export function apiForm<T>(method: string, path: string, form: FormData): Promise<T> {
  return send<T>(method, path, {}, form);
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NOT_JSON;
  }
}

async function send<T>(method: string, path: string, extra: Record<string, string>, body: BodyInit | undefined): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...extra };
  const csrf = method === 'GET' ? undefined : csrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body });
  const text = await response.text();
  const parsed = parseJson(text);
  if (parsed === NOT_JSON || !response.ok) {
    // Not the API's own answer (a CDN's or a load balancer's HTML page on a 502/504): a problem of the status alone.
    const problem = (parsed === NOT_JSON ? {} : (parsed ?? {})) as Partial<Problem>;
    throw new ApiError({
      type: problem.type ?? 'about:blank',
      title: problem.title ?? (response.statusText || `HTTP ${response.status}`),
      status: response.status,
      detail: problem.detail ?? (parsed === NOT_JSON ? `The platform did not answer as expected (HTTP ${response.status}).` : undefined),
      errors: problem.errors,
    });
  }
  return parsed as T;
}

/** The session of this browser, or undefined when it has none (no link opened, expired, revoked). */
export async function currentSession(): Promise<PortalSession | undefined> {
  try {
    return await api<PortalSession>('GET', '/v1/portal-sessions/current');
  } catch (error) {
    if (error instanceof ApiError && (error.problem.status === 401 || error.problem.status === 404)) return undefined;
    throw error;
  }
}

/**
 * The headers every page of the portal is sent with, wherever it is served: the local platform
 * (`infra/local/static-site.ts`) and the deployed distribution's response headers policy
 * (`infra/constructs/portal-site.ts`) both take them from here, so the two cannot drift. Scripts
 * and styles from the portal's own origin only, no framing, no referrer, no type sniffing.
 */
export interface PortalHeaderOptions {
  /**
   * Served over https only (the distribution): browsers are also told to keep to https. Off for the
   * local platform, which serves plain http on a loopback address.
   */
  readonly https?: boolean;
}

/** One year, the value browsers' preload lists ask for at least. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

export function portalSecurityHeaders(options: PortalHeaderOptions = {}): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...(options.https && { 'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}` }),
  };
}

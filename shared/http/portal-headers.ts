/**
 * The security headers every page of the portal is sent with — by the local platform's static
 * server and by the deployed distribution alike, so both build them here: scripts and styles
 * from the portal's own origin only, no framing, no referrer, no type sniffing.
 *
 * With the platform's Meta app configured, the WhatsApp page runs Meta's Embedded Signup, which
 * needs Meta's JavaScript SDK (connect.facebook.net), the SDK's frames and calls to facebook.com
 * and the Graph API; without one, none of Meta's origins is allowed.
 */
export interface PortalHeaderOptions {
  /** Allow Meta's JavaScript SDK and Embedded Signup (only when a Meta app is configured). */
  metaEmbeddedSignup?: boolean;
  /**
   * Served over https only (the distribution): browsers are also told to keep to https. Off for the
   * local platform, which serves plain http on a loopback address.
   */
  https?: boolean;
}

/** One year, the value browsers' preload lists ask for at least. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** Meta's origins Embedded Signup uses, by directive. */
export const META_EMBEDDED_SIGNUP_ORIGINS = {
  'script-src': ['https://connect.facebook.net'],
  'frame-src': ['https://www.facebook.com', 'https://web.facebook.com', 'https://staticxx.facebook.com'],
  'connect-src': ['https://www.facebook.com', 'https://graph.facebook.com'],
  'img-src': ['https://www.facebook.com'],
} as const;

export function portalContentSecurityPolicy({ metaEmbeddedSignup = false }: PortalHeaderOptions = {}): string {
  const meta = (directive: keyof typeof META_EMBEDDED_SIGNUP_ORIGINS) => (metaEmbeddedSignup ? META_EMBEDDED_SIGNUP_ORIGINS[directive] : []);
  const directives: Array<[string, readonly string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', ["'self'", ...meta('script-src')]],
    ['style-src', ["'self'"]],
    ['img-src', ["'self'", 'data:', ...meta('img-src')]],
    ['connect-src', ["'self'", ...meta('connect-src')]],
    // Without Meta the default ('self') already covers frames; with it, name them.
    ...(metaEmbeddedSignup ? ([['frame-src', ["'self'", ...meta('frame-src')]]] as Array<[string, readonly string[]]>) : []),
    ['frame-ancestors', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'self'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}

export function portalSecurityHeaders(options: PortalHeaderOptions = {}): Record<string, string> {
  return {
    'content-security-policy': portalContentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...(options.https && { 'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}` }),
  };
}

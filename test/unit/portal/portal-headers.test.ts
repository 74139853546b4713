import { loadConfig } from '../../../shared/config';
import { embeddedSignupOf, metaEmbeddedSignupConfigured } from '../../../shared/domain/whatsapp-embedded-signup';
import { META_EMBEDDED_SIGNUP_ORIGINS, portalContentSecurityPolicy, portalSecurityHeaders } from '../../../shared/http/portal-headers';

const directives = (csp: string) => new Map(csp.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
const META_ORIGINS = [...new Set(Object.values(META_EMBEDDED_SIGNUP_ORIGINS).flat())];

describe("the portal's security headers", () => {
  it("allow only the portal's own origin without a Meta app", () => {
    const csp = portalContentSecurityPolicy();
    expect(csp).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    for (const origin of [...META_ORIGINS, 'facebook']) expect(csp).not.toContain(origin);
    expect(portalSecurityHeaders()).toEqual({ 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
  });

  it("allow Meta's SDK, its frames and its calls with Embedded Signup, and nothing more", () => {
    const csp = directives(portalContentSecurityPolicy({ metaEmbeddedSignup: true }));
    expect(csp.get('script-src')).toEqual(["'self'", 'https://connect.facebook.net']);
    expect(csp.get('frame-src')).toEqual(["'self'", 'https://www.facebook.com', 'https://web.facebook.com', 'https://staticxx.facebook.com']);
    expect(csp.get('connect-src')).toEqual(["'self'", 'https://www.facebook.com', 'https://graph.facebook.com']);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:', 'https://www.facebook.com']);
    // Still no inline script, no framing of the portal, no other base or form target.
    for (const [name, expected] of [['default-src', ["'self'"]], ['style-src', ["'self'"]], ['frame-ancestors', ["'none'"]], ['base-uri', ["'none'"]], ['form-action', ["'self'"]]] as const) {
      expect(csp.get(name)).toEqual(expected);
    }
    expect([...csp.values()].flat().some((s) => s.includes('unsafe'))).toBe(false);
  });
});

describe('which Embedded Signup the platform runs', () => {
  it("is Meta's with both the app and its configuration, simulated otherwise", () => {
    expect(embeddedSignupOf(loadConfig({}))).toEqual({ mode: 'simulated' });
    expect(embeddedSignupOf(loadConfig({ META_APP_ID: '1234567890' }))).toEqual({ mode: 'simulated' });
    expect(metaEmbeddedSignupConfigured({ META_EMBEDDED_SIGNUP_CONFIG_ID: '987654321' })).toBe(false);
    const both = loadConfig({ META_APP_ID: '1234567890', META_EMBEDDED_SIGNUP_CONFIG_ID: '987654321' });
    expect(embeddedSignupOf(both)).toEqual({ mode: 'meta', appId: '1234567890', configId: '987654321', graphApiVersion: 'v21.0' });
    expect(metaEmbeddedSignupConfigured(both)).toBe(true);
  });

  it('refuses ids that are not numeric, naming the variable', () => {
    expect(() => loadConfig({ META_APP_ID: 'my-app' })).toThrow(/META_APP_ID must be a numeric Meta app id/);
    expect(() => loadConfig({ META_GRAPH_API_VERSION: '21' })).toThrow(/META_GRAPH_API_VERSION/);
  });
});

import fc from 'fast-check';
import { getExpectedBodyHash, getExpectedTwilioSignature, validateRequest, validateRequestWithBody } from 'twilio/lib/webhooks/webhooks';
import {
  computeTwilioSignature,
  decodeEventBody,
  parseFormBody,
  verifyFormSignature,
  verifyJsonSignature,
  type FormParams,
} from '../../../shared/twilio/webhook-signature';
import { formBody, toSdkParams } from './fixtures';

const RUNS = { numRuns: 300 };

// Names avoid `__proto__`, which the SDK's object-shaped params cannot hold as data.
const name = fc.oneof(
  fc.constantFrom('Body', 'From', 'To', 'MediaUrl0', 'MessagingBinding.Address', 'body', 'a', 'A', 'Z', '_'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
).filter((n) => n !== '__proto__');
const value = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 24 }), fc.string({ unit: 'grapheme-ascii', maxLength: 24 }));
const params = fc.array(fc.tuple(name, value), { maxLength: 24 });
const token = fc.stringMatching(/^[0-9a-f]{32}$/);
const host = fc.constantFrom('api.example.com', 'hooks.example.co.uk', 'abc123.lambda-url.us-east-1.on.aws');
const path = fc.array(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { maxLength: 4 }).map((parts) => `/${parts.join('/')}`);
const query = fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 8 })), { maxLength: 3 }).map((q) => new URLSearchParams(q).toString());
const url = fc.tuple(host, path).map(([h, p]) => `https://${h}${p}`);

/** A name that appears with exactly one distinct value in the list, so changing it changes what is signed. */
function uniquePairIndexes(list: FormParams): number[] {
  return list.flatMap((pair, i) => (list.filter((other) => other[0] === pair[0] && other[1] === pair[1]).length === 1 ? [i] : []));
}

describe('signature properties, cross-checked with the official SDK', () => {
  it('our signer equals the SDK signer for any params, repeated names and unicode included', () => {
    fc.assert(
      fc.property(token, url, query, params, (t, u, q, p) => {
        const full = q ? `${u}?${q}` : u;
        expect(computeTwilioSignature(t, full, p)).toBe(getExpectedTwilioSignature(t, full, toSdkParams(p)));
      }),
      RUNS,
    );
  });

  it('a request the SDK signs is accepted after the round trip through a base64 form body, and the SDK accepts ours', () => {
    fc.assert(
      fc.property(token, url, query, params, fc.boolean(), (t, u, q, p, withPort) => {
        const signedUrl = withPort ? u.replace(/^(https:\/\/[^/]+)/, '$1:443') : u;
        const signature = getExpectedTwilioSignature(t, q ? `${signedUrl}?${q}` : signedUrl, toSdkParams(p));
        const received = parseFormBody(decodeEventBody({ body: Buffer.from(formBody(p)).toString('base64'), isBase64Encoded: true }));

        expect(verifyFormSignature({ url: u, rawQueryString: q, authToken: t, signature, params: received }).valid).toBe(true);
        const ours = computeTwilioSignature(t, q ? `${u}?${q}` : u, p);
        expect(validateRequest(t, ours, q ? `${u}?${q}` : u, toSdkParams(p))).toBe(true);
      }),
      RUNS,
    );
  });

  it('any changed, dropped, added, trimmed or renamed parameter is rejected', () => {
    const mutation = fc.constantFrom('change', 'drop', 'add', 'trim', 'rename');
    fc.assert(
      fc.property(token, url, params, mutation, fc.nat(), value, (t, u, p, kind, pick, extra) => {
        const unique = uniquePairIndexes(p);
        const i = unique.length ? unique[pick % unique.length] : -1;
        fc.pre(kind === 'add' || i >= 0);
        const at = (f: (pair: readonly [string, string]) => readonly [string, string]): FormParams => p.map((pair, j) => (j === i ? f(pair) : pair));
        // Twilio signs the parameters as they were before the mutation; for "trim", it signed the padded value.
        const [signed, received]: [FormParams, FormParams] =
          kind === 'change' ? [p, at(([n, v]) => [n, `${v}x`])]
          : kind === 'drop' ? [p, p.filter((_, j) => j !== i)]
          : kind === 'add' ? [p, [...p, ['Injected', extra]]]
          : kind === 'trim' ? [at(([n, v]) => [n, ` ${v} `]), p]
          : [p, at(([n, v]) => [`${n}_`, v])];
        const signature = getExpectedTwilioSignature(t, u, toSdkParams(signed));
        // The scheme concatenates names and values without separators, so ("a", "_b") and ("a_", "b")
        // sign alike; such inherent collisions are not a property of this verifier and are skipped.
        fc.pre(getExpectedTwilioSignature(t, u, toSdkParams(received)) !== signature);

        expect(verifyFormSignature({ url: u, authToken: t, signature, params: received })).toEqual({ valid: false, reason: 'signature-mismatch' });
      }),
      { numRuns: 600 },
    );
  });

  it('a signature made with any other token is rejected', () => {
    fc.assert(
      fc.property(token, token, url, params, (signer, verifier, u, p) => {
        fc.pre(signer !== verifier);
        const signature = getExpectedTwilioSignature(signer, u, toSdkParams(p));
        expect(verifyFormSignature({ url: u, authToken: verifier, signature, params: p }).valid).toBe(false);
      }),
      RUNS,
    );
  });

  it('a signature for any other URL form (scheme, slash, stage, host) is rejected', () => {
    const change = fc.constantFrom(
      (u: string) => u.replace('https:', 'http:'),
      (u: string) => `${u}/`,
      (u: string) => u.replace(/^(https:\/\/[^/]+)/, '$1/prod'),
      (u: string) => u.replace(/^https:\/\//, 'https://www.'),
      (u: string) => u.replace(/^(https:\/\/[^/]+)/, '$1:8443'),
    );
    fc.assert(
      fc.property(token, url, params, change, (t, u, p, alter) => {
        const signature = getExpectedTwilioSignature(t, alter(u), toSdkParams(p));
        expect(verifyFormSignature({ url: u, authToken: t, signature, params: p }).valid).toBe(false);
      }),
      RUNS,
    );
  });

  it('JSON bodies: the SDK and we agree on genuine requests and on altered bodies', () => {
    const json = fc.json().map((j) => Buffer.from(j, 'utf8'));
    fc.assert(
      fc.property(token, url, json, json, (t, u, body, other) => {
        const q = `bodySHA256=${getExpectedBodyHash(body.toString('utf8'))}`;
        const signature = getExpectedTwilioSignature(t, `${u}?${q}`, {});

        expect(verifyJsonSignature({ url: u, rawQueryString: q, authToken: t, signature, rawBody: body }).valid).toBe(true);
        expect(validateRequestWithBody(t, signature, `${u}?${q}`, body.toString('utf8'))).toBe(true);
        const forged = verifyJsonSignature({ url: u, rawQueryString: q, authToken: t, signature, rawBody: other });
        expect(forged.valid).toBe(body.equals(other));
      }),
      RUNS,
    );
  });
});

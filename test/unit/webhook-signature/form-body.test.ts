import fc from 'fast-check';
import { decodeEventBody, parseFormBody } from '../../../shared/twilio/webhook-signature';

const oracle = (body: string) => [...new URLSearchParams(body)];

describe('parseFormBody', () => {
  it.each<[string, Array<[string, string]>]>([
    ['', []],
    ['a=1', [['a', '1']]],
    ['a=1&b=2&a=3', [['a', '1'], ['b', '2'], ['a', '3']]],
    ['Body=&To=%2B14155550100', [['Body', ''], ['To', '+14155550100']]],
    ['Body=hello+world%21', [['Body', 'hello world!']]],
    ['Body=caf%C3%A9+%E2%9C%93', [['Body', 'café ✓']]],
    ['flag&x=1', [['flag', ''], ['x', '1']]],
    ['a=1&&b=2&', [['a', '1'], ['b', '2']]],
    ['=v', [['', 'v']]],
    ['a=b=c', [['a', 'b=c']]],
    ['a=100%', [['a', '100%']]],
    ['a=%zz%4', [['a', '%zz%4']]],
    ['a=%FF', [['a', '\uFFFD']]],
    ['a=%ED%A0%80', [['a', '\uFFFD\uFFFD\uFFFD']]],
    ['a=%EF%BB%BFx', [['a', '\uFEFFx']]],
  ])('%j', (body, expected) => {
    expect(parseFormBody(body)).toEqual(expected);
    expect(parseFormBody(body)).toEqual(oracle(body));
  });

  it('decodes a broken escape followed by raw text over the combined bytes, as the WHATWG URL standard does', () => {
    // bytes C3 C3 A9: the first C3 starts no valid sequence (U+FFFD), then C3 A9 is é.
    expect(parseFormBody('a=%C3\u00e9')).toEqual([['a', '\uFFFD\u00e9']]);
  });

  it('parses bytes as UTF-8', () => {
    expect(parseFormBody(Buffer.from('Body=caf\u00e9'))).toEqual([['Body', 'café']]);
  });

  it('round-trips any pairs encoded by URLSearchParams (order, repeats, empties, unicode)', () => {
    const pair = fc.tuple(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 25 }), (pairs) => {
        const body = new URLSearchParams(pairs).toString();
        expect(parseFormBody(body)).toEqual(pairs);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with URLSearchParams on arbitrary, including malformed, percent-encoding', () => {
    // Raw non-ASCII text is left out here: Node's URLSearchParams decodes it apart from a preceding
    // broken escape, where the WHATWG algorithm (and this parser) decodes the bytes together; see below.
    const unit = fc.constantFrom('a', 'B', '=', '&', '+', '%', '0', '9', 'f', 'F', 'g', ' ', '%C3', '%A9', '%E2%9C', '%ED%A0%80', '%F0%9F%98%80', '%EF%BB%BF');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
        const body = units.join('');
        expect(parseFormBody(body)).toEqual(oracle(body));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('decodeEventBody', () => {
  it('decodes a base64 body to its exact bytes', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x7d, 0x0a]);

    expect(decodeEventBody({ body: bytes.toString('base64'), isBase64Encoded: true }).equals(bytes)).toBe(true);
  });

  it('encodes a plain body as UTF-8', () => {
    expect(decodeEventBody({ body: 'a=é', isBase64Encoded: false }).equals(Buffer.from('a=é', 'utf8'))).toBe(true);
  });

  it('treats an absent body as empty', () => {
    expect(decodeEventBody({ body: null, isBase64Encoded: true })).toHaveLength(0);
    expect(decodeEventBody({})).toHaveLength(0);
  });
});

import fc from 'fast-check';
import { SegmentedMessage } from 'sms-segments-calculator';
import { countSegments } from '../../../shared/messaging/segments';

/** GSM 03.38, written out here rather than taken from the library: the basic table (without ESC) and the extension table. */
const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const GSM = new Set([...GSM_BASIC, ...GSM_EXTENSION]);

const gsmChar = fc.constantFrom(...GSM_BASIC);
const extensionChar = fc.constantFrom(...GSM_EXTENSION);
/** Characters that are outside GSM-7 but one grapheme each. */
const ucs2Char = fc.constantFrom('’', '“', '”', '—', 'ж', 'П', 'ç', 'ő', '中', '文', '😀', '🎉', '👍', '\t', 'ā');
/** Code points that join a neighbour into one grapheme: combining accent, skin tone, ZWJ, variation selector, regional indicators, Hangul jamo. */
const joiner = fc.constantFrom('\u0301', '🏽', '\u200d', '\ufe0f', '🇺', '🇸', '\u1100', '\u1161', '\u11a8');
const anyText = (maxLength: number) => fc.string({ unit: fc.oneof({ weight: 6, arbitrary: gsmChar }, extensionChar, ucs2Char, joiner), maxLength });
/** Lengths around the segment limits, where an off-by-one would show. */
const nearLimits = fc.constantFrom(67, 68, 69, 70, 71, 72, 133, 134, 135, 152, 153, 154, 159, 160, 161, 305, 306, 307, 1600);

const library = (body: string) => {
  const m = new SegmentedMessage(body);
  return { segments: m.segmentsCount, encoding: m.encodingName, unicode: [...new Set(m.getNonGsmCharacters())], septets: m.numberOfCharacters };
};

describe('countSegments — known bodies', () => {
  it.each([
    ['160 GSM characters', 'a'.repeat(160), 1, 'GSM-7', 160],
    ['161 GSM characters', 'a'.repeat(161), 2, 'GSM-7', 161],
    ['153 × 2 GSM characters', 'b'.repeat(306), 2, 'GSM-7', 306],
    ['153 × 2 + 1 GSM characters', 'b'.repeat(307), 3, 'GSM-7', 307],
    ['70 UCS-2 characters', 'ж'.repeat(70), 1, 'UCS-2', 70],
    ['71 UCS-2 characters', 'ж'.repeat(71), 2, 'UCS-2', 71],
    ['67 × 2 UCS-2 characters', 'ж'.repeat(134), 2, 'UCS-2', 134],
    ['67 × 2 + 1 UCS-2 characters', 'ж'.repeat(135), 3, 'UCS-2', 135],
    ['one emoji in 100 GSM characters (a surrogate pair: 102 code units)', `${'a'.repeat(50)}😀${'a'.repeat(50)}`, 2, 'UCS-2', 102],
    ['35 emoji = 70 code units', '😀'.repeat(35), 1, 'UCS-2', 70],
    ['36 emoji = 72 code units', '😀'.repeat(36), 2, 'UCS-2', 72],
    ['€ takes two septets', '€', 1, 'GSM-7', 2],
    ['80 × € = 160 septets', '€'.repeat(80), 1, 'GSM-7', 160],
    ['81 × € = 162 septets', '€'.repeat(81), 2, 'GSM-7', 162],
    ['159 GSM characters and a ^', `${'a'.repeat(159)}^`, 2, 'GSM-7', 161],
    ['{ } [ ] ~ \\ | ^ € and form feed: two septets each', GSM_EXTENSION, 1, 'GSM-7', 20],
    ['1,600 GSM characters', 'x'.repeat(1600), 11, 'GSM-7', 1600],
    ['1,600 UCS-2 characters', 'ж'.repeat(1600), 24, 'UCS-2', 1600],
    ['1,600 × € = 3,200 septets, 76 to a segment', '€'.repeat(1600), 22, 'GSM-7', 3200],
    ['an extension character never straddles two segments', `${'a'.repeat(152)}€${'a'.repeat(152)}`, 3, 'GSM-7', 306],
    ['nor does a surrogate pair', `${'ж'.repeat(66)}😀${'ж'.repeat(66)}`, 3, 'UCS-2', 134],
    ['nor an emoji with a skin tone (one grapheme of 4 code units)', `${'a'.repeat(68)}👍🏽`, 2, 'UCS-2', 72],
  ])('%s', (_name, body, segments, encoding, characters) => {
    expect(countSegments(body)).toMatchObject({ segments, encoding, characters });
    expect(library(body)).toMatchObject({ segments, encoding });
  });

  it('names the characters that forced UCS-2, each once, in order', () => {
    expect(countSegments('It’s here')).toEqual({ segments: 1, encoding: 'UCS-2', characters: 9, unicodeCharacters: ['’'] });
    // The same 150 characters would be one GSM-7 segment with a straight apostrophe.
    const curly = `${'a'.repeat(140)} it’s ok.`;
    expect(countSegments(curly.replace('’', "'"))).toMatchObject({ segments: 1, encoding: 'GSM-7' });
    expect(countSegments(curly)).toMatchObject({ segments: 3, encoding: 'UCS-2', unicodeCharacters: ['’'] });
    expect(countSegments('“Hi” — 😀 “again” 😀').unicodeCharacters).toEqual(['“', '”', '—', '😀']);
    // Graphemes of several code points are named whole.
    expect(countSegments('cafe\u0301 👨‍👩‍👧 🇺🇸').unicodeCharacters).toEqual(['e\u0301', '👨‍👩‍👧', '🇺🇸']);
  });

  it('replaces nothing (Smart Encoding off): curly quotes and dashes stay UCS-2, as Twilio sends them by default', () => {
    for (const char of ['’', '‘', '“', '”', '–', '—', '…', '\u00a0']) expect(countSegments(`a${char}b`).encoding).toBe('UCS-2');
  });

  it('counts an empty body (a media-only message) as no SMS segment', () => {
    expect(countSegments('')).toEqual({ segments: 0, encoding: 'GSM-7', characters: 0, unicodeCharacters: [] });
  });

  it('is fast on the send path: far below the library’s milliseconds for a 1,600-character body', () => {
    const bodies = ['Hi {name}, 20% off € prices today! '.repeat(50).slice(0, 1600), 'Привет, мир 😀 '.repeat(120).slice(0, 1600)];
    for (const body of bodies) {
      const runs: number[] = [];
      for (let i = 0; i < 51; i++) {
        const start = process.hrtime.bigint();
        countSegments(body);
        runs.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      // The library alone takes 15–20 ms here; a median above 2 ms means the fast pass was lost.
      expect(runs.sort((a, b) => a - b)[25]).toBeLessThan(2);
    }
  });
});

describe('countSegments — properties', () => {
  it('agrees with Twilio’s calculator on segments, encoding, characters and the UCS-2 characters', () => {
    const body = fc.oneof(anyText(400), fc.string({ unit: 'binary', maxLength: 200 }), nearLimits.chain((n) => fc.string({ unit: fc.oneof(gsmChar, extensionChar, ucs2Char), minLength: n, maxLength: n })));
    fc.assert(
      fc.property(body, (text) => {
        fc.pre(text.length > 0);
        const ours = countSegments(text);
        const theirs = library(text);
        expect(ours.segments).toBe(theirs.segments);
        expect(ours.encoding).toBe(theirs.encoding);
        expect(ours.characters).toBe(theirs.encoding === 'GSM-7' ? theirs.septets : text.length);
        expect(ours.unicodeCharacters).toEqual(theirs.unicode);
      }),
      { numRuns: 400 },
    );
  });

  it('never takes fewer segments for a longer body over a fixed alphabet', () => {
    const alphabets = [gsmChar, fc.oneof(gsmChar, extensionChar), ucs2Char, fc.oneof(gsmChar, extensionChar, ucs2Char, joiner)];
    for (const alphabet of alphabets) {
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 700 }), fc.array(alphabet, { minLength: 1, maxLength: 200 }), (head, tail) => {
          expect(countSegments([...head, ...tail].join('')).segments).toBeGreaterThanOrEqual(countSegments(head.join('')).segments);
        }),
        { numRuns: 100 },
      );
    }
  });

  it('sends a body of GSM-7 characters (basic and extension) as GSM-7, the extension ones at two septets', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(gsmChar, extensionChar), { minLength: 1, maxLength: 1600 }), (chars) => {
        const result = countSegments(chars.join(''));
        expect(result.encoding).toBe('GSM-7');
        expect(result.unicodeCharacters).toEqual([]);
        expect(result.characters).toBe(chars.length + chars.filter((c) => GSM_EXTENSION.includes(c)).length);
      }),
    );
  });

  it('sends any body with a character outside GSM-7 and its extension table as UCS-2, and names it', () => {
    const foreign = fc.oneof(ucs2Char, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !GSM.has(c)));
    fc.assert(
      fc.property(anyText(300), foreign, anyText(300), (before, char, after) => {
        const result = countSegments(before + char + after);
        expect(result.encoding).toBe('UCS-2');
        expect(result.characters).toBe(before.length + char.length + after.length);
        // Named whole, or within the grapheme it joined.
        expect(result.unicodeCharacters.some((named) => named.includes(char) || char.includes(named))).toBe(true);
      }),
    );
  });
});

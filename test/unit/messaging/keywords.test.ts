import fc from 'fast-check';
import { matchKeyword, type KeywordAction } from '../../../shared/messaging/keywords';

/** Twilio's default keywords on long codes (exact single word, case-insensitive). */
const DOCUMENTED: Record<string, KeywordAction> = {
  STOP: 'opt-out', STOPALL: 'opt-out', UNSUBSCRIBE: 'opt-out', CANCEL: 'opt-out', END: 'opt-out', QUIT: 'opt-out', REVOKE: 'opt-out', OPTOUT: 'opt-out',
  START: 'opt-in', YES: 'opt-in', UNSTOP: 'opt-in',
  HELP: 'help', INFO: 'help',
};
const KEYWORDS = Object.keys(DOCUMENTED);
const OPT_OUT_TYPES: Record<string, KeywordAction> = { STOP: 'opt-out', START: 'opt-in', HELP: 'help' };

const keyword = fc.constantFrom(...KEYWORDS);
const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 4 });
/** The word with each letter in upper or lower case. */
const anyCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) => [...word].map((c, i) => (upper[i] ? c : c.toLowerCase())).join(''));
const isKeyword = (text: string) => KEYWORDS.includes(text.trim().toUpperCase());

describe('matchKeyword', () => {
  it('matches every documented keyword in any case with surrounding whitespace, as the word upper-cased', () => {
    fc.assert(
      fc.property(keyword.chain((k) => fc.tuple(fc.constant(k), anyCase(k), whitespace, whitespace)), ([word, cased, before, after]) => {
        expect(matchKeyword(`${before}${cased}${after}`)).toEqual({ action: DOCUMENTED[word], keyword: word });
      }),
    );
  });

  it('never matches a keyword with more text around it ("STOP please", "stopp", "STOP.") without OptOutType', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!?,\'-'), minLength: 1, maxLength: 8 });
    const extended = fc.oneof(
      fc.tuple(keyword, word).map(([k, w]) => `${k}${w}`), // stopp, STOP.
      fc.tuple(word, keyword).map(([w, k]) => `${w}${k}`),
      fc.tuple(keyword, whitespace, word).map(([k, s, w]) => `${k} ${s}${w}`), // STOP please
      fc.tuple(word, keyword).map(([w, k]) => `${w} ${k}`), // please stop
      fc.tuple(keyword, keyword).map(([a, b]) => `${a} ${b}`),
    );
    for (const fixed of ['STOP please', 'stopp', 'STOP.', 'please stop', 'S TOP', 'stop!', 'yes please', 'helpme']) expect(matchKeyword(fixed)).toBeUndefined();
    fc.assert(
      fc.property(extended, fc.boolean(), (text, lower) => {
        const body = lower ? text.toLowerCase() : text;
        // Some concatenations are themselves keywords (STOP + ALL, UN + STOP): those must match.
        if (isKeyword(body)) expect(matchKeyword(body)).toBeDefined();
        else expect(matchKeyword(body)).toBeUndefined();
      }),
    );
  });

  it('lets OptOutType win when present, in any case, whatever the body says', () => {
    const body = fc.oneof(keyword, fc.string({ maxLength: 40 }), fc.constantFrom('STOP please', 'arrêt', 'stopp', ''));
    const type = fc.constantFrom(...Object.keys(OPT_OUT_TYPES)).chain((t) => fc.tuple(fc.constant(t), anyCase(t)));
    fc.assert(
      fc.property(body, type, (text, [canonical, cased]) => {
        expect(matchKeyword(text, cased)?.action).toBe(OPT_OUT_TYPES[canonical]);
      }),
    );
  });
});

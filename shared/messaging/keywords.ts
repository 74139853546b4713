/**
 * Twilio's default keyword handling on long codes: exact single words, case-insensitive. With
 * Advanced Opt-Out Twilio also tells us which list matched (`OptOutType`), which then wins, since
 * the customer may have configured other words.
 */
export type KeywordAction = 'opt-out' | 'opt-in' | 'help';

const KEYWORDS: Readonly<Record<string, KeywordAction>> = {
  STOP: 'opt-out', STOPALL: 'opt-out', UNSUBSCRIBE: 'opt-out', CANCEL: 'opt-out', END: 'opt-out', QUIT: 'opt-out', REVOKE: 'opt-out', OPTOUT: 'opt-out',
  START: 'opt-in', YES: 'opt-in', UNSTOP: 'opt-in',
  HELP: 'help', INFO: 'help',
};
const OPT_OUT_TYPES: Readonly<Record<string, KeywordAction>> = { STOP: 'opt-out', START: 'opt-in', HELP: 'help' };

export interface KeywordMatch {
  readonly action: KeywordAction;
  /** The word as the handset sent it, upper-cased: the evidence kept in the history. */
  readonly keyword: string;
}

export function matchKeyword(body: string, optOutType?: string): KeywordMatch | undefined {
  const word = body.trim().toUpperCase();
  const typed = optOutType ? OPT_OUT_TYPES[optOutType.toUpperCase()] : undefined;
  if (typed) return { action: typed, keyword: word || optOutType!.toUpperCase() };
  const action = Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word] : undefined;
  return action && { action, keyword: word };
}

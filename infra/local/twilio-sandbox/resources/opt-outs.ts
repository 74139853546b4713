import type { SandboxContext } from '../core/context';

/** Twilio's default keyword handling on long codes (exact single word, case-insensitive). */
const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];
const OPT_IN = ['START', 'YES', 'UNSTOP'];
const HELP = ['HELP', 'INFO'];

export type OptOutType = 'STOP' | 'START' | 'HELP';

export function keywordOf(body: string): OptOutType | undefined {
  const word = body.trim().toUpperCase();
  if (OPT_OUT.includes(word)) return 'STOP';
  if (OPT_IN.includes(word)) return 'START';
  if (HELP.includes(word)) return 'HELP';
  return undefined;
}

export function recordKeyword(ctx: SandboxContext, accountSid: string, handset: string, keyword: OptOutType): void {
  if (keyword === 'HELP') return;
  ctx.state.optOuts.set(`${accountSid}|${handset}`, { accountSid, handset, optedOut: keyword === 'STOP', updatedAt: ctx.clock.now() });
}

export function isOptedOut(ctx: SandboxContext, accountSid: string, handset: string): boolean {
  return ctx.state.optOuts.get(`${accountSid}|${handset}`)?.optedOut ?? false;
}

import { accountsAdapter } from './accounts';
import { authTokensAdapter } from './auth-tokens';
import { contentAdapter } from './content';
import { eventsAdapter } from './events';
import { messagesAdapter } from './messages';
import { messagingAdapter } from './messaging';
import { numbersAdapter } from './numbers';
import { trusthubAdapter } from './trusthub';
import { usageAdapter } from './usage';
import { whatsappAdapter } from './whatsapp';

/**
 * Every area, for callers that need the whole gateway (contract tests, tools). A function's
 * wiring names only the areas it calls, so its bundle carries only those SDK resources.
 */
export const everyArea = [
  accountsAdapter,
  authTokensAdapter,
  trusthubAdapter,
  messagingAdapter,
  numbersAdapter,
  eventsAdapter,
  messagesAdapter,
  whatsappAdapter,
  contentAdapter,
  usageAdapter,
] as const;

/**
 * What a message error code means for the platform: whether a retry can help, what to do about
 * it, and a reason a partner can show to a person. Codes arrive on failed sends (the API error)
 * and on `failed`/`undelivered` status callbacks (`ErrorCode`).
 */

export type MessageErrorAction =
  | 'retry-with-backoff'
  | 'retry-limited'
  | 'suppress-recipient'
  | 'fix-recipient'
  | 'fix-configuration'
  | 'register-campaign'
  | 'verify-toll-free'
  | 'review-content'
  | 'send-template'
  | 'investigate';

export interface MessageErrorClass {
  code: number;
  retryable: boolean;
  action: MessageErrorAction;
  reason: string;
}

type Entry = Omit<MessageErrorClass, 'code'>;

const TABLE: Record<number, Entry> = {
  20429: { retryable: true, action: 'retry-with-backoff', reason: 'Too many requests: Twilio is throttling this account' },
  21610: { retryable: false, action: 'suppress-recipient', reason: 'The recipient opted out (replied STOP)' },
  21211: { retryable: false, action: 'fix-recipient', reason: "The 'To' number is not a valid phone number" },
  21614: { retryable: false, action: 'fix-recipient', reason: "The 'To' number is not a mobile number and cannot receive SMS" },
  21408: { retryable: false, action: 'fix-configuration', reason: 'Sending to this country is not enabled (geo permissions)' },
  21606: { retryable: false, action: 'fix-configuration', reason: "The 'From' number cannot send this message" },
  21612: { retryable: false, action: 'fix-configuration', reason: "No route between the 'From' and 'To' numbers" },
  30034: { retryable: false, action: 'register-campaign', reason: 'The sending 10DLC number is not part of an approved A2P campaign' },
  30032: { retryable: false, action: 'verify-toll-free', reason: 'The toll-free number is not verified' },
  30007: { retryable: false, action: 'review-content', reason: 'The carrier filtered the message (content or consent)' },
  30003: { retryable: false, action: 'suppress-recipient', reason: 'The handset is unreachable' },
  30005: { retryable: false, action: 'suppress-recipient', reason: 'The destination number is unknown or no longer exists' },
  30006: { retryable: false, action: 'suppress-recipient', reason: 'The destination is a landline or unreachable carrier' },
  30008: { retryable: true, action: 'retry-limited', reason: 'Unknown delivery error' },
  30001: { retryable: true, action: 'retry-limited', reason: 'Queue overflow: too many messages queued for the sender' },
  63016: { retryable: false, action: 'send-template', reason: 'Outside the WhatsApp 24-hour window: only approved templates can be sent' },
  63007: { retryable: false, action: 'fix-configuration', reason: 'No WhatsApp sender with this From address is online for the account' },
  63040: { retryable: false, action: 'send-template', reason: 'The WhatsApp template was rejected' },
  63041: { retryable: false, action: 'send-template', reason: 'The WhatsApp template is paused (Meta paused it for low quality)' },
  63042: { retryable: false, action: 'send-template', reason: 'The WhatsApp template is disabled' },
  63018: { retryable: true, action: 'retry-with-backoff', reason: 'The WhatsApp sender hit its rate limit' },
  63003: { retryable: false, action: 'fix-recipient', reason: 'The WhatsApp recipient is not valid' },
  63024: { retryable: false, action: 'fix-recipient', reason: 'The WhatsApp recipient is not valid' },
};

/** Classifies a Twilio message error code; unknown codes are not retried and need a look. */
export function classifyMessageError(code: number): MessageErrorClass {
  const known = TABLE[code];
  if (known) return { code, ...known };
  return { code, retryable: false, action: 'investigate', reason: `Twilio error ${code}` };
}

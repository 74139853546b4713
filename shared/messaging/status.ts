/**
 * Message status ranks. Twilio's callbacks arrive unordered and duplicated; a status is stored only
 * if it ranks above the stored one, so any order of delivery converges on the furthest state.
 * `delivered`, `undelivered` and `failed` share a rank: a carrier never reports two of them for one
 * message, and the first one stored wins. `read` follows `delivered` (WhatsApp/RCS). `canceled` ends
 * a scheduled message and nothing moves it afterwards.
 */
const RANKS: Readonly<Record<string, number>> = {
  accepted: 1,
  scheduled: 1,
  queued: 1,
  receiving: 1,
  sending: 2,
  sent: 3,
  received: 3,
  delivered: 4,
  undelivered: 4,
  failed: 4,
  partially_delivered: 4,
  read: 5,
  canceled: 9,
};

/** The rank of a Twilio message status; `undefined` for a status Twilio may add later. */
export function statusRank(status: string): number | undefined {
  return Object.hasOwn(RANKS, status) ? RANKS[status] : undefined;
}

export const MESSAGE_STATUSES = Object.keys(RANKS);

/** From this rank on a message's status is final (delivered, undelivered, failed, read, canceled): nothing more is waited for. */
export const FINAL_STATUS_RANK = 4;

import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { PartnerEventInput } from '../domain/event-types';

/**
 * Partner events: one log per partner (cursor-readable with `GET /v1/events?after=`), appended on
 * every change a partner cares about. The types and the shape of each one's `data` are in
 * shared/domain/event-types.ts. The log promises:
 * - a reader paging forward with the returned cursor never skips an event, whenever it commits,
 *   and sees each event once;
 * - events of one subject (a message, a contact, a customer's onboarding) in append order.
 */
export type { PartnerEventInput, PartnerEventType } from '../domain/event-types';

export type PartnerEvent = PartnerEventInput & {
  /** Unique within the partner's log and stable (partners deduplicate on it); not a cursor. */
  id: string;
  occurredAt: string;
};

/**
 * One item of a DynamoDB transaction, in lib-dynamodb's shape (`TransactWriteCommand`):
 * `{ Put | Update | Delete | ConditionCheck: { TableName, … } }`.
 */
export type TransactWriteItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * `committed: false` means one of the caller's items failed its condition: nothing was written,
 * neither the caller's items nor the events. `failed` lists the indexes of the caller's items
 * whose condition failed, when known.
 */
export type AppendWithResult = { committed: true; events: PartnerEvent[] } | { committed: false; failed?: number[] };

export interface PartnerEventLog {
  append(partnerId: string, event: PartnerEventInput): Promise<PartnerEvent>;
  /**
   * Transactional outbox: writes the caller's `items` and `events` in one TransactWriteItems
   * call, so either all of them are stored or none. Contention on the log is retried inside;
   * the caller's conditions are checked once per attempt and a failure of one of them answers
   * `{ committed: false }`. Zero events make it a plain transaction. At most 100 items in all:
   * the caller's, the events, and one per log shard the events land on
   * ({@link MAX_APPEND_WITH_ITEMS}); more is refused before anything is sent.
   */
  appendWith(partnerId: string, events: PartnerEventInput[], items: TransactWriteItem[]): Promise<AppendWithResult>;
}

/** DynamoDB's limit on the items of one transaction. */
export const MAX_APPEND_WITH_ITEMS = 100;

import type { ConsentRecord } from '../../shared/domain/consent';
import type { PartnerEvent, PartnerEventInput } from '../../shared/services/partner-events-contract';
import { optedOut, stateFromItem, toStateItem, type ConsentRepository, type ConsentStateRecord, type TransactItem } from '../../shared/store/consent';

const contactKey = (partnerId: string, customerId: string, contact: string) => `${partnerId}/${customerId}/${contact}`;

/**
 * In-memory consent repository with the DynamoDB one's contract: ledger rows put once per id,
 * state rows stored as the real item (so `sendBlock` reads what production stores) and written
 * only if their version is still the expected one.
 */
export function fakeConsentRepository() {
  const records = new Map<string, Map<string, ConsentRecord>>();
  const states = new Map<string, Record<string, unknown>>();

  function conditionHolds(next: ConsentStateRecord, expected: number | undefined): boolean {
    const stored = stateFromItem(states.get(contactKey(next.partnerId, next.customerId, next.contact)));
    return expected === undefined ? stored === undefined : stored?.version === expected;
  }
  const store = (next: ConsentStateRecord) => states.set(contactKey(next.partnerId, next.customerId, next.contact), structuredClone(toStateItem(next)));

  /** What `stateWrite` produced, as the fake event log needs it. */
  function decode(item: TransactItem): { next: ConsentStateRecord; expected: number | undefined } {
    const put = item.Put!;
    return { next: stateFromItem(put.Item as Record<string, unknown>)!, expected: put.ExpressionAttributeValues?.[':expected'] as number | undefined };
  }

  const stateOf = (partnerId: string, customerId: string, contact: string) => stateFromItem(structuredClone(states.get(contactKey(partnerId, customerId, contact))));
  const recordsOf = (partnerId: string, customerId: string, contact: string) => structuredClone([...(records.get(contactKey(partnerId, customerId, contact))?.values() ?? [])]);

  const repo: ConsentRepository = {
    async putRecord(record) {
      const key = contactKey(record.partnerId, record.customerId, record.contact);
      const mine = records.get(key) ?? new Map<string, ConsentRecord>();
      records.set(key, mine);
      if (mine.has(record.id)) return false;
      mine.set(record.id, structuredClone(record));
      return true;
    },
    async getState(partnerId, customerId, contact) {
      return stateOf(partnerId, customerId, contact);
    },
    async records(partnerId, customerId, contact) {
      return recordsOf(partnerId, customerId, contact);
    },
    // Not through the other methods: a test may wrap each of them (e.g. in a fast-check scheduler).
    async read(partnerId, customerId, contact) {
      const state = stateOf(partnerId, customerId, contact);
      return { ...(state ? { state } : {}), records: recordsOf(partnerId, customerId, contact) };
    },
    stateWrite(next, expectedVersion) {
      return { Put: { TableName: 'fake', Item: toStateItem(next), ConditionExpression: 'version check', ...(expectedVersion === undefined ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }) } };
    },
    async writeState(next, expectedVersion) {
      if (!conditionHolds(next, expectedVersion)) return false;
      store(next);
      return true;
    },
    async listOptedOut(partnerId, customerId, { channel, wanted, before }) {
      const all = [...states.values()]
        .filter((i) => i.partnerId === partnerId && i.customerId === customerId && typeof i.gsi1sk === 'string')
        .map((i) => ({ state: stateFromItem(i)!, position: i.gsi1sk as string }))
        .filter(({ state }) => optedOut(state).channels.some((c) => !channel || c === channel))
        .filter(({ position }) => !before || position < before)
        .sort((a, b) => (a.position < b.position ? 1 : -1));
      return structuredClone(all.slice(0, wanted));
    },
  };

  return {
    repo,
    records,
    /** The raw state row, as the send path's BatchGet returns it. */
    stateItem: (partnerId: string, customerId: string, contact: string) => structuredClone(states.get(contactKey(partnerId, customerId, contact))),
    /** Applies `stateWrite` items all-or-nothing, as a transaction would. */
    transact(items: TransactItem[]): boolean {
      const writes = items.map(decode);
      if (!writes.every(({ next, expected }) => conditionHolds(next, expected))) return false;
      for (const { next } of writes) store(next);
      return true;
    },
  };
}

/** A partner event log whose appendWith commits the caller's items and the events together, or neither. */
export function fakeEventLog(transact: (items: TransactItem[]) => boolean) {
  const events: Array<PartnerEvent & { partnerId: string }> = [];
  let n = 0;
  const log = {
    events,
    /** Set to make the next appendWith calls answer `committed: false` without writing (a lost race). */
    failNext: 0,
    async appendWith(partnerId: string, inputs: PartnerEventInput[], items: TransactItem[]) {
      if (log.failNext > 0) {
        log.failNext--;
        return { committed: false as const };
      }
      if (!transact(items)) return { committed: false as const };
      const stored = inputs.map((e) => ({ ...e, id: String(++n), occurredAt: new Date(0).toISOString() }) as PartnerEvent);
      events.push(...stored.map((e) => ({ ...e, partnerId })));
      return { committed: true as const, events: stored };
    },
  };
  return log;
}

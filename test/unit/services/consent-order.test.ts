import fc from 'fast-check';
import { consentService, sendBlock } from '../../../shared/services/consent';
import type { ConsentRepository } from '../../../shared/store/consent';
import type { CustomerRecord } from '../../../shared/store/customers';
import { fakeConsentRepository, fakeEventLog } from '../../support/consent-fakes';
import { fakeCustomerRepository, fixedClock } from '../../support/fakes';
import { validCustomer } from '../../support/fixtures';

/**
 * Out-of-order delivery: whatever order (and however often) the same STOP / START / HELP /
 * 21610 / partner opt-in / partner opt-out records arrive in, the state is the one the rules give
 * when the records are applied in time order — and no send is ever allowed while that says
 * opted out. The reference below is written from the rules, independently of the service's fold.
 */

const P = 'ptn_a';
const C = 'cus_01JF3X00000000000000000001';
const CONTACT = '+14155550123';
const CHANNELS = ['sms', 'whatsapp'] as const;
type Channel = (typeof CHANNELS)[number];
type Kind = 'stop' | 'start' | 'help' | 'twilio' | 'partner-in' | 'partner-out';

interface Ev {
  n: number;
  kind: Kind;
  /** Minutes after the base time: few values, so ties are common. */
  minute: number;
  channel: Channel;
  /** Partner opt-in only: url / formText / ip besides the capture time. */
  evidence: boolean;
}

const BASE = Date.parse('2026-02-01T00:00:00.000Z');
const timeOf = (e: Ev) => new Date(BASE + e.minute * 60_000).toISOString();
const isOptOut = (k: Kind) => k === 'stop' || k === 'twilio' || k === 'partner-out';
const isOptIn = (k: Kind) => k === 'start' || k === 'partner-in';
const isPartner = (k: Kind) => k === 'partner-in' || k === 'partner-out';

interface Expected {
  state: 'opted-in' | 'opted-out' | 'unknown';
  since?: string;
  source?: string;
}

/** The rules, applied to the records sorted by time (ties: opt-out last, then record id). */
function reference(events: Ev[], idOf: (e: Ev) => string, channel: Channel): Expected {
  const rank = (e: Ev) => (isOptOut(e.kind) ? 2 : isOptIn(e.kind) ? 1 : 0);
  const sorted = events
    .filter((e) => e.channel === channel)
    .sort((a, b) => a.minute - b.minute || rank(a) - rank(b) || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  let out: Expected = { state: 'unknown' };
  let handsetOptOutStands = false;
  const sourceOf = (k: Kind) => (isPartner(k) ? 'partner' : k === 'twilio' ? 'twilio-error' : 'keyword');
  for (const e of sorted) {
    if (isOptOut(e.kind)) {
      if (out.state !== 'opted-out') {
        out = { state: 'opted-out', since: timeOf(e), source: sourceOf(e.kind) };
        handsetOptOutStands = !isPartner(e.kind);
      } else if (!isPartner(e.kind)) handsetOptOutStands = true;
    } else if (isOptIn(e.kind)) {
      if (out.state === 'opted-in') continue;
      if (out.state === 'opted-out' && handsetOptOutStands && e.kind === 'partner-in' && !e.evidence) continue;
      out = { state: 'opted-in', since: timeOf(e), source: sourceOf(e.kind) };
      handsetOptOutStands = false;
    }
  }
  return out;
}

const eventArb = (n: number) =>
  fc.record({
    n: fc.constant(n),
    kind: fc.constantFrom<Kind>('stop', 'start', 'help', 'twilio', 'partner-in', 'partner-out'),
    minute: fc.integer({ min: 0, max: 4 }),
    channel: fc.constantFrom<Channel>(...CHANNELS),
    evidence: fc.boolean(),
  });

/** Distinct records, then the deliveries: each record at least once, some twice, in any order. */
const scenario = (maxEvents: number, maxDuplicates: number) =>
  fc
    .integer({ min: 1, max: maxEvents })
    .chain((count) => fc.tuple(...Array.from({ length: count }, (_, n) => eventArb(n))))
    .chain((events) =>
      fc
        .array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: maxDuplicates })
        .chain((dups) => {
          const deliveries = [...events, ...dups.map((i) => events[i]!)];
          return fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length });
        })
        .map((deliveries) => ({ events, deliveries })),
    );

type Service = ReturnType<typeof consentService>;

/**
 * A shared fake store and event log, and one service per delivery over them (as separate Lambda
 * invocations would be). `gate`, when given, is awaited before and after every store call of
 * that delivery: the call lands at some point after it is made and its caller hears back later.
 */
async function setup() {
  const customers = fakeCustomerRepository();
  await customers.create({ ...validCustomer(), id: C, partnerId: P, status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', version: 1 } as CustomerRecord);
  const store = fakeConsentRepository();
  const log = fakeEventLog(store.transact);
  const clock = fixedClock('2026-03-01T00:00:00.000Z');

  function serviceFor(gate?: () => Promise<void>): Service {
    if (!gate) return consentService({ consent: store.repo, customers, events: log, clock, sleep: async () => {} });
    const latent =
      <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        await gate();
        const result = await fn(...args);
        await gate();
        return result;
      };
    const repo: ConsentRepository = {
      ...store.repo,
      putRecord: latent(store.repo.putRecord),
      getState: latent(store.repo.getState),
      records: latent(store.repo.records),
      read: latent(store.repo.read),
      writeState: latent(store.repo.writeState),
    };
    return consentService({ consent: repo, customers, events: { appendWith: latent(log.appendWith) }, clock, sleep: async () => {} });
  }

  const partnerIds = new Map<number, string>();
  /** Records one delivery; remembers a partner record's ledger id (a hash the test does not recompute). */
  async function deliver(service: Service, e: Ev): Promise<void> {
    const at = timeOf(e);
    const base = { partnerId: P, customerId: C, contact: CONTACT, channel: e.channel };
    switch (e.kind) {
      case 'stop':
      case 'start':
      case 'help': {
        const action = e.kind === 'stop' ? 'opt-out' : e.kind === 'start' ? 'opt-in' : 'help';
        await service.recordKeyword({ ...base, action, keyword: e.kind.toUpperCase(), at, messageId: `SM${e.n}`, messageSid: `SM${e.n}` });
        return;
      }
      case 'twilio':
        await service.recordTwilioOptOut({ ...base, at, messageId: `msg_${e.n}`, errorCode: 21610 });
        return;
      default: {
        const result = await service.recordPartnerConsent(P, C, CONTACT, {
          action: e.kind === 'partner-in' ? 'opt-in' : 'opt-out',
          channel: e.channel,
          // A source of its own per record, so two generated records never share a hash.
          evidence: { source: `form-${e.n}`, capturedAt: at, ...(e.kind === 'partner-in' && e.evidence ? { url: 'https://acme.example.com/join' } : {}) },
        });
        partnerIds.set(e.n, result.record.id);
      }
    }
  }
  const idOf = (e: Ev) => (e.kind === 'twilio' ? `err_msg_${e.n}` : isPartner(e.kind) ? partnerIds.get(e.n)! : `kw_SM${e.n}`);
  return { store, log, serviceFor, deliver, idOf };
}

/**
 * A scheduler for racing deliveries: each waits at a gate before and after every store call, and
 * a generated schedule says whose gate opens next — in runs, so one delivery often gets far
 * ahead while another is stalled between its read of the state and its write (the interleaving
 * that loses an update if the service ever trusts a stale read). When the scheduled delivery is
 * not waiting, the first one that is goes.
 */
function gates(count: number) {
  const waiting: Array<(() => void) | undefined> = Array.from({ length: count }, () => undefined);
  return {
    gate: (who: number) => () => new Promise<void>((resolve) => void (waiting[who] = resolve)),
    async run<T>(schedule: number[], task: Promise<T>): Promise<T> {
      let settled = false;
      const watched = task.finally(() => void (settled = true));
      for (let step = 0; ; step++) {
        // Let every continuation run, so each delivery is at its next gate (or done).
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) break;
        const wanted = schedule[step];
        const who = wanted !== undefined && waiting[wanted] ? wanted : waiting.findIndex(Boolean);
        if (who < 0) continue;
        const open = waiting[who]!;
        waiting[who] = undefined;
        open();
      }
      return watched;
    },
  };
}

const scheduleArb = (deliveries: number) =>
  fc
    .array(fc.record({ who: fc.integer({ min: 0, max: deliveries - 1 }), steps: fc.integer({ min: 1, max: 20 }) }), { maxLength: 30 })
    .map((runs) => runs.flatMap(({ who, steps }) => Array<number>(steps).fill(who)));

const distinct = (deliveries: Ev[]) => [...new Map(deliveries.map((e) => [e.n, e])).values()];

describe('consent ledger under any delivery order', () => {
  it('converges on the time-ordered state after every delivery, and never lets a send through an effective opt-out', async () => {
    await fc.assert(
      fc.asyncProperty(scenario(12, 4), async ({ events, deliveries }) => {
        const { store, log, serviceFor, deliver, idOf } = await setup();
        const service = serviceFor();
        for (let i = 0; i < deliveries.length; i++) {
          await deliver(service, deliveries[i]!);
          const delivered = distinct(deliveries.slice(0, i + 1));
          for (const channel of CHANNELS) {
            const expected = reference(delivered, idOf, channel);
            const block = sendBlock(store.stateItem(P, C, CONTACT), channel);
            expect({ channel, blocked: Boolean(block) }).toEqual({ channel, blocked: expected.state === 'opted-out' });
            if (block) expect(block).toMatchObject({ since: expected.since, source: expected.source });
          }
        }
        const view = await service.get(P, C, CONTACT);
        for (const channel of CHANNELS) {
          const expected = reference(events, idOf, channel);
          expect(view.channels[channel]).toMatchObject(expected);
          // One event per change of the effective state: never the same twice in a row, the last one the state.
          const types = log.events.filter((e) => e.data.channel === channel).map((e) => e.type);
          types.forEach((t, i) => expect(t).not.toBe(types[i - 1]));
          if (expected.state !== 'unknown') expect(types.at(-1)).toBe(expected.state === 'opted-out' ? 'contact.opted_out' : 'contact.opted_in');
          else expect(types).toEqual([]);
        }
        expect(view.history).toHaveLength(events.length);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('converges when the deliveries race each other (any interleaving of reads and conditional writes)', async () => {
    const raced = scenario(8, 2).chain((sc) => scheduleArb(sc.deliveries.length).map((schedule) => ({ ...sc, schedule })));
    await fc.assert(
      fc.asyncProperty(raced, async ({ events, deliveries, schedule }) => {
        const { store, serviceFor, deliver, idOf } = await setup();
        const { gate, run } = gates(deliveries.length);
        await run(schedule, Promise.all(deliveries.map((e, who) => deliver(serviceFor(gate(who)), e))));
        const view = await serviceFor().get(P, C, CONTACT);
        for (const channel of CHANNELS) {
          const expected = reference(events, idOf, channel);
          expect(view.channels[channel]).toMatchObject(expected);
          expect(Boolean(sendBlock(store.stateItem(P, C, CONTACT), channel))).toBe(expected.state === 'opted-out');
        }
        expect(view.history).toHaveLength(events.length);
      }),
      { numRuns: 300 },
    );
  }, 60_000);
});

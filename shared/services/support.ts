import { monotonicFactory } from 'ulid';

/** Time and identity are ports so tests can pin them. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export type IdGenerator = (prefix: string) => string;

const nextUlid = monotonicFactory();
/** Time-ordered ids (ULID): sorting by id sorts by creation, which the list queries rely on. */
export const ulidIds: IdGenerator = (prefix) => `${prefix}_${nextUlid()}`;

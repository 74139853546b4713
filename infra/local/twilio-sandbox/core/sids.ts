import { createHash } from 'node:crypto';

/**
 * Twilio SIDs are a two-letter prefix plus 32 lowercase hex digits. The sandbox derives the hex part
 * from a seed and a per-prefix counter so that a fresh sandbox with the same seed hands out the same
 * SIDs in the same order — tests and recorded fixtures stay reproducible.
 */
export class SidFactory {
  private readonly counters = new Map<string, number>();

  constructor(private readonly seed: string) {}

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return prefix + this.hex(`${prefix}:${n}`, 32);
  }

  /** Secrets and tokens: same determinism, different namespace from SIDs. */
  secret(purpose: string, length = 32): string {
    const n = (this.counters.get(`secret:${purpose}`) ?? 0) + 1;
    this.counters.set(`secret:${purpose}`, n);
    return this.hex(`secret:${purpose}:${n}`, length);
  }

  reset(): void {
    this.counters.clear();
  }

  /** The counters, so that a restored sandbox continues the sequence instead of handing out SIDs again. */
  snapshot(): Array<[string, number]> {
    return [...this.counters.entries()];
  }

  restore(counters: ReadonlyArray<readonly [string, number]>): void {
    this.counters.clear();
    for (const [key, n] of counters) this.counters.set(key, n);
  }

  private hex(label: string, length: number): string {
    let out = '';
    for (let block = 0; out.length < length; block++) {
      out += createHash('sha256').update(`${this.seed}:${label}:${block}`).digest('hex');
    }
    return out.slice(0, length);
  }
}

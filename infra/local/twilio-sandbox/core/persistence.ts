import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * What a sandbox keeps across restarts when it has a state file: its records, its SID counters
 * (so it never hands out a SID twice — the platform's table still holds the old ones) and its
 * clock. Scheduled transitions are closures and are not saved; a restored sandbox re-schedules
 * the ones still in flight from the records' statuses.
 */
export interface SandboxSnapshot {
  readonly version: 1;
  /** The SID seed: with the counters, it continues the exact sequence. */
  readonly seed: string;
  readonly masterAccountSid: string;
  readonly primaryCustomerProfileSid: string;
  /** Sandbox time (epoch ms) when saved. */
  readonly now: number;
  readonly counters: Array<[string, number]>;
  readonly state: Record<string, Array<[string, unknown]>>;
}

/** The snapshot in `file`, or undefined when there is none or it is not one this version wrote. */
export function loadSnapshot(file: string): SandboxSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = JSON.parse(text) as Partial<SandboxSnapshot>;
  if (value?.version !== 1 || typeof value.seed !== 'string' || typeof value.masterAccountSid !== 'string' || !Array.isArray(value.counters) || typeof value.state !== 'object') return undefined;
  return value as SandboxSnapshot;
}

/** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. Owner-only: it holds sandbox auth tokens. */
export function saveSnapshot(file: string, snapshot: SandboxSnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(snapshot), { mode: 0o600 });
  renameSync(temporary, file);
}

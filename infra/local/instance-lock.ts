import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One local platform per data directory. A second `npm start` in the same checkout would share
 * the first one's DynamoDB Local files (and, before this lock, killed its DynamoDB Local as a
 * stale process); it now refuses and names the running instance. A lock left by a platform that
 * died (its process is gone) is taken over.
 */
export const LOCK_FILE = 'platform.lock';

export interface LockHolder {
  pid: number;
  startedAt: string;
}

export class PlatformAlreadyRunningError extends Error {
  override readonly name = 'PlatformAlreadyRunningError';

  constructor(
    readonly holder: LockHolder,
    dataDir: string,
  ) {
    super(
      `Switchboard is already running on ${dataDir} (process ${holder.pid}, started ${holder.startedAt}). ` +
        `Stop it first (Ctrl-C in its terminal, or kill ${holder.pid}), or start this one with --in-memory.`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the data directory's lock or throws {@link PlatformAlreadyRunningError}; returns its release. */
export function acquireInstanceLock(dataDir: string, now: () => Date = () => new Date()): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, startedAt: now().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Exclusive create: of two starts at the same moment, one wins.
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (holderOf(file)?.pid === mine.pid && holderOf(file)?.startedAt === mine.startedAt) rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(file);
      if (holder && isAlive(holder.pid)) throw new PlatformAlreadyRunningError(holder, dataDir);
      // Left by a platform that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not take the platform lock ${file}`);
}

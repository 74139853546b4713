import type { ChildProcess } from 'node:child_process';

/**
 * Child processes the local platform started (DynamoDB Local's JVM). Each runs in its own
 * process group so the whole group can be signalled, whatever the spawn went through. They must
 * never outlive this process: a JVM left behind keeps the port and, in persistent mode, the
 * database files locked.
 *
 * - normal exit and uncaught exceptions: the `exit` hook kills every group synchronously;
 * - SIGINT / SIGTERM / SIGHUP: the groups are killed; if nobody else handles the signal (no
 *   graceful shutdown installed, e.g. inside jest), the signal is re-raised so the process still
 *   ends as it would by default.
 * SIGKILL cannot be intercepted; DynamoDB Local records its pid so the next start reaps it.
 */
const guarded = new Set<number>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone (ESRCH): nothing to clean.
  }
}

function onSignal(signal: NodeJS.Signals): void {
  for (const pid of guarded) killGroup(pid, 'SIGKILL');
  guarded.clear();
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

const handlers = new Map<NodeJS.Signals, () => void>(SIGNALS.map((s) => [s, () => onSignal(s)]));
const onExit = (): void => {
  for (const pid of guarded) killGroup(pid, 'SIGKILL');
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const [signal, handler] of handlers) process.on(signal, handler);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const [signal, handler] of handlers) process.off(signal, handler);
}

/** Kills the child's whole process group if this process ends before {@link release}. */
export function guard(child: ChildProcess): void {
  if (child.pid === undefined) return;
  guarded.add(child.pid);
  install();
}

export function release(child: ChildProcess): void {
  if (child.pid !== undefined) guarded.delete(child.pid);
  if (guarded.size === 0) uninstall();
}

/**
 * Stops a guarded child: SIGTERM to its group, SIGKILL after `graceMs`, resolved once it exited.
 * DynamoDB Local flushes nothing on SIGTERM that it has not already written, so the grace is short.
 */
export async function stopGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    release(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(pid, 'SIGTERM');
  const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
    // Anything the JVM itself started dies with the group.
    killGroup(pid, 'SIGKILL');
    release(child);
  }
}

/** True while a process with this pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sandbox time. It moves only when advanced (or, in realtime mode, also with wall time), so tests
 * never sleep. Lifecycle transitions are scheduled as tasks; advancing runs every task that falls
 * due, in due order, including tasks scheduled by other tasks within the advanced window.
 */
export interface ScheduledTask {
  id: number;
  dueAt: number;
  label: string;
  run: () => Promise<void> | void;
}

export class SandboxClock {
  private current: number;
  private readonly tasks: ScheduledTask[] = [];
  private nextId = 1;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly startAt: number) {
    this.current = startAt;
  }

  now(): number {
    return this.current;
  }

  date(): Date {
    return new Date(this.current);
  }

  schedule(delaySeconds: number, label: string, run: ScheduledTask['run']): number {
    return this.scheduleAt(this.current + Math.max(0, delaySeconds) * 1000, label, run);
  }

  /**
   * At a sandbox time (epoch ms) a record keeps, such as a send time or an expiry: exact, where a
   * delay worked out from it could round a millisecond off. A time already past is due now.
   */
  scheduleAt(epochMs: number, label: string, run: ScheduledTask['run']): number {
    const task: ScheduledTask = { id: this.nextId++, dueAt: Math.max(this.current, epochMs), label, run };
    this.tasks.push(task);
    return task.id;
  }

  cancel(id: number): void {
    const index = this.tasks.findIndex((t) => t.id === id);
    if (index >= 0) this.tasks.splice(index, 1);
  }

  pending(): ReadonlyArray<Pick<ScheduledTask, 'id' | 'dueAt' | 'label'>> {
    return [...this.tasks].sort(byDue).map(({ id, dueAt, label }) => ({ id, dueAt, label }));
  }

  /** Advances are serialised so concurrent callers (HTTP control + realtime ticker) never interleave. */
  advance(seconds: number): Promise<void> {
    const run = this.running.then(() => this.advanceNow(seconds));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** Continues from a restored sandbox's time (never backwards). */
  resumeAt(epochMs: number): void {
    this.current = Math.max(this.current, epochMs);
  }

  reset(): void {
    this.tasks.length = 0;
    this.current = this.startAt;
  }

  private async advanceNow(seconds: number): Promise<void> {
    const target = this.current + Math.max(0, seconds) * 1000;
    for (;;) {
      const due = this.tasks.filter((t) => t.dueAt <= target).sort(byDue)[0];
      if (!due) break;
      this.tasks.splice(this.tasks.indexOf(due), 1);
      this.current = Math.max(this.current, due.dueAt);
      await due.run();
    }
    this.current = target;
  }
}

function byDue(a: ScheduledTask, b: ScheduledTask): number {
  return a.dueAt - b.dueAt || a.id - b.id;
}

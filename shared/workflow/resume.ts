import type { Clock } from '../services/support';
import type { TaskTokenRepository } from '../store/task-tokens';
import type { WorkflowPort } from './port';

export type ResumeResult = 'resumed' | 'not-waiting' | 'gone';

/**
 * Called by the Twilio event consumers: a status event for what a step waits for (a brand, a
 * messaging service's campaign, a number) resumes the waiting execution. The event is only a
 * hint — the state machine re-reads Twilio next — so the output carries it for the history only.
 * Idempotent: the token is taken once, so a repeated event is a no-op; an event nobody waits for
 * (or whose token is stale) is remembered briefly in case the wait task has not parked its token yet.
 */
export function tokenResumer({ tokens, workflow, clock }: { tokens: TaskTokenRepository; workflow: WorkflowPort; clock: Clock }) {
  return async function resumeWaiting(waitingFor: string, hint: Record<string, unknown> = {}): Promise<ResumeResult> {
    const token = await tokens.take(waitingFor, clock.now());
    if (!token) return 'not-waiting';
    if (await workflow.sendTaskSuccess(token, { waitingFor, hint })) return 'resumed';
    // A token nobody waits on any more (its wait timed out, or a local execution was lost with its
    // runner and is starting again): the event is remembered as for nobody waiting, so the wait
    // that parks next for the key resumes at once; one parked in between is taken and resumed now.
    const next = await tokens.take(waitingFor, clock.now());
    if (next && (await workflow.sendTaskSuccess(next, { waitingFor, hint }))) return 'resumed';
    return 'gone';
  };
}

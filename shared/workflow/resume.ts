import type { Clock } from '../services/support';
import type { TaskTokenRepository } from '../store/task-tokens';
import type { WorkflowPort } from './port';

export type ResumeResult = 'resumed' | 'not-waiting' | 'gone';

/**
 * Called by the Twilio event consumers: a status event for what a step waits for (a brand, a
 * messaging service's campaign, a number) resumes the waiting execution. The event is only a
 * hint — the state machine re-reads Twilio next — so the output carries it for the history only.
 * Idempotent: the token is taken once, so a repeated event is a no-op; an event nobody waits for
 * is remembered briefly in case the wait task has not parked its token yet.
 */
export function tokenResumer({ tokens, workflow, clock }: { tokens: TaskTokenRepository; workflow: WorkflowPort; clock: Clock }) {
  return async function resumeWaiting(waitingFor: string, hint: Record<string, unknown> = {}): Promise<ResumeResult> {
    const token = await tokens.take(waitingFor, clock.now());
    if (!token) return 'not-waiting';
    return (await workflow.sendTaskSuccess(token, { waitingFor, hint })) ? 'resumed' : 'gone';
  };
}

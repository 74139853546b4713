import { tasks } from '../../shared/wiring/workflow';
import type { CheckTask } from '../../shared/workflow/tasks';

/** Check<Step>: re-reads Twilio after a wait (resumed by the event, or timed out). */
export const handler = (event: CheckTask) => tasks.checkStep(event);

import { bookkeeping } from '../../shared/wiring/workflow-bookkeeping';
import type { MarkFailedTask } from '../../shared/workflow/tasks';

/** MarkFailed: records the failed step with Twilio's codes and the fields to fix. */
export const handler = (event: MarkFailedTask) => bookkeeping.markFailed(event);

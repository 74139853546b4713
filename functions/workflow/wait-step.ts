import { bookkeeping } from '../../shared/wiring/workflow-bookkeeping';
import type { WaitTask } from '../../shared/workflow/tasks';

/** Wait<Step> (.waitForTaskToken): parks the task token under what the step waits for. */
export const handler = (event: WaitTask) => bookkeeping.waitStep(event);

import { tasks } from '../../shared/wiring/workflow';
import type { WaitTask } from '../../shared/workflow/tasks';

/** Wait<Step> (.waitForTaskToken): parks the task token under what the step waits for. */
export const handler = (event: WaitTask) => tasks.waitStep(event);

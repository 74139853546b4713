import { tasks } from '../../shared/wiring/workflow';
import type { StepTask } from '../../shared/workflow/tasks';

/** Run<Step>: does (or resumes) one onboarding step; its outcome drives the state machine's Choice. */
export const handler = (event: StepTask) => tasks.runStep(event);

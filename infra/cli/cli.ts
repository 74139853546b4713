import { isOperation, parseInvocation, synopsis, touchesUsagePlan, type TargetFlags } from './args';
import { execute, type PartnerAdmin, type PortalLinks, type TokenRotationAdmin, type UsageReader } from './commands';
import { EXIT_OK, UsageError, describeError } from './errors';
import { executeOperation, type Operations } from './operations';
import type { Output } from './output';
import type { UsagePlanPort } from './usage-plan';

/** A target made ready: the partner service over its table and, when deployed, its usage plan. */
export interface Connection {
  partners: PartnerAdmin;
  usage: UsageReader;
  usagePlan?: UsagePlanPort;
  tokenRotation?: () => TokenRotationAdmin;
  portal?: PortalLinks;
}

export interface CliDeps {
  out: Output;
  connect(flags: TargetFlags, needsUsagePlan: boolean): Promise<Connection>;
  /** The target's queues, workflow and services for the dlq, onboarding and events commands. */
  connectOperations(flags: TargetFlags): Promise<Operations>;
}

/** The whole CLI behind its dependencies: parse, connect, run, report. Returns the exit code. */
export async function runCli(argv: string[], { out, connect, connectOperations }: CliDeps): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    if (invocation.kind === 'help') {
      out.text(invocation.text);
      return EXIT_OK;
    }
    const { command, target } = invocation;
    try {
      if (isOperation(command)) {
        await executeOperation(command, { ...(await connectOperations(target)), out });
      } else {
        await execute(command, { ...(await connect(target, touchesUsagePlan(command))), out });
      }
    } catch (error) {
      // A usage problem found while resolving the target still deserves the command's synopsis.
      if (error instanceof UsageError && !error.usage) throw new UsageError(error.message, synopsis(command.name));
      throw error;
    }
    return EXIT_OK;
  } catch (error) {
    const { body, exitCode } = describeError(error);
    out.error(body);
    return exitCode;
  }
}

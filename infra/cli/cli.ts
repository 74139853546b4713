import { parseInvocation, synopsis, touchesUsagePlan, type TargetFlags } from './args';
import { execute, type PartnerAdmin, type TokenRotationAdmin } from './commands';
import { EXIT_OK, UsageError, describeError } from './errors';
import type { Output } from './output';
import type { UsagePlanPort } from './usage-plan';

/** A target made ready: the partner service over its table and, when deployed, its usage plan. */
export interface Connection {
  partners: PartnerAdmin;
  usagePlan?: UsagePlanPort;
  tokenRotation?: () => TokenRotationAdmin;
}

export interface CliDeps {
  out: Output;
  connect(flags: TargetFlags, needsUsagePlan: boolean): Promise<Connection>;
}

/** The whole CLI behind its dependencies: parse, connect, run, report. Returns the exit code. */
export async function runCli(argv: string[], { out, connect }: CliDeps): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    if (invocation.kind === 'help') {
      out.text(invocation.text);
      return EXIT_OK;
    }
    const { command, target } = invocation;
    try {
      const connection = await connect(target, touchesUsagePlan(command));
      await execute(command, { ...connection, out });
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

import { readFile } from 'node:fs/promises';
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { QUEUES, type QueueName } from '../../shared/queue/queues';
import { pascalCase } from '../constructs/catalog-types';
import type { TargetFlags } from './args';
import type { QueuePair } from './dead-letters';
import { TargetError, UsageError } from './errors';
import type { OperatorAccess } from './local-operator';

export type Target =
  | { kind: 'local'; endpoint: string; tableName: string; region: string; twilio?: LocalTwilio; apiUrl?: string }
  | { kind: 'aws'; tableName: string; region: string; usagePlanId?: string; stackName?: string; tokenKeyArn?: string; apiUrl?: string; portalBaseUrl?: string };

/** What the local platform writes while it runs; other fields it may add are ignored. */
export const LocalPlatformSchema = z.object({
  dynamoEndpoint: z.url(),
  tableName: z.string().min(1),
  region: z.string().min(1),
  /** The loopback operator endpoint of `npm start` (dlq, onboarding retry, events replay). */
  operator: z.object({ url: z.url(), token: z.string().min(16) }).optional(),
  localMasterKey: z.string().min(1).optional(),
  twilioBaseUrl: z.url().optional(),
  /** The platform's API URL: the base of portal links. */
  apiUrl: z.url().optional(),
});
export type LocalPlatform = z.infer<typeof LocalPlatformSchema>;

/** What a command acting as a customer on Twilio needs of the running platform: its token key and its Twilio. */
export interface LocalTwilio {
  localMasterKey: string;
  /** The sandbox; absent for real Twilio. */
  twilioBaseUrl?: string;
}

/** The local platform's connection file; `undefined` when absent, which means it is not running. */
export async function readLocalPlatformFile(path: string): Promise<LocalPlatform | undefined> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new TargetError('.local/platform.json is not valid JSON: restart the local platform');
  }
  const parsed = LocalPlatformSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
    throw new TargetError(`.local/platform.json lacks valid ${fields}: restart the local platform`);
  }
  return parsed.data;
}

export interface TargetSources {
  /** The running local platform's connection file, or `undefined` when it is not running. */
  readLocalPlatform(): Promise<LocalPlatform | undefined>;
  /** The region for a deployed target: the flag, else the AWS SDK's own chain (AWS_REGION, profile). */
  awsRegion(flag: string | undefined): Promise<string>;
  cloudFormation(region: string): CloudFormationClient;
}

/** When neither the flag nor the platform file names a region: the same default as `shared/config.ts`. */
const LOCAL_DEFAULT_REGION = 'us-east-1';

/**
 * Chooses the target. `--stack`, or `--table` without `--endpoint` (or `--usage-plan`), means a
 * deployed table; anything else means DynamoDB Local, because a developer's default must never
 * reach a real account by accident.
 */
export async function resolveTarget(flags: TargetFlags, needsUsagePlan: boolean, sources: TargetSources): Promise<Target> {
  const deployed = Boolean(flags.stack || flags.usagePlan || (flags.table && !flags.endpoint));
  if (!deployed) return resolveLocal(flags, sources);
  const region = await sources.awsRegion(flags.region);
  if (flags.stack) return resolveStack(flags.stack, flags, region, needsUsagePlan, sources);
  if (needsUsagePlan && !flags.usagePlan) {
    throw new UsageError("This command also updates the partner's API Gateway key: give --usage-plan <id> with --table, or use --stack <name>");
  }
  return { kind: 'aws', tableName: flags.table!, region, usagePlanId: flags.usagePlan };
}

async function resolveLocal(flags: TargetFlags, sources: TargetSources): Promise<Target> {
  const platform = await sources.readLocalPlatform();
  const endpoint = flags.endpoint ?? platform?.dynamoEndpoint;
  const tableName = flags.table ?? platform?.tableName;
  if (!endpoint || !tableName) {
    throw new TargetError(
      platform || flags.endpoint
        ? 'No table for the local endpoint: pass --table <name>'
        : 'The local platform is not running (no .local/platform.json): start it with `npm start`, pass --endpoint and --table, or --stack for a deployed stack',
    );
  }
  // The platform's key and Twilio belong to its own table only, never to one named by the flags.
  const own = platform && endpoint === platform.dynamoEndpoint && tableName === platform.tableName;
  const twilio = own && platform.localMasterKey ? { localMasterKey: platform.localMasterKey, ...(platform.twilioBaseUrl ? { twilioBaseUrl: platform.twilioBaseUrl } : {}) } : undefined;
  // Portal links open on the platform serving this table, never on one serving another.
  const apiUrl = own ? platform.apiUrl : undefined;
  return { kind: 'local', endpoint, tableName, region: flags.region ?? platform?.region ?? LOCAL_DEFAULT_REGION, ...(twilio ? { twilio } : {}), ...(apiUrl ? { apiUrl } : {}) };
}

async function resolveStack(
  stackName: string,
  flags: TargetFlags,
  region: string,
  needsUsagePlan: boolean,
  sources: TargetSources,
): Promise<Target> {
  const cloudFormation = sources.cloudFormation(region);
  const outputs = await stackOutputs(cloudFormation, stackName, region);
  // The table belongs to the stateful stack; the platform stack may re-export it, else look next door.
  const statefulStack = statefulSiblingOf(stackName);
  let stateful: Promise<Record<string, string>> | undefined;
  const statefulOutputs = () => (stateful ??= statefulStack !== stackName ? stackOutputs(cloudFormation, statefulStack, region, true) : Promise.resolve<Record<string, string>>({}));
  const tableName = flags.table ?? outputs.TableName ?? (await statefulOutputs()).TableName;
  if (!tableName) {
    throw new TargetError(`Stack ${stackName} has no TableName output${statefulStack !== stackName ? ` (nor has ${statefulStack})` : ''}: pass --table <name>`);
  }
  // The token key (for token rotation) lives in the stateful stack, read only if its outputs were read anyway.
  const tokenKeyArn = outputs.TokenKeyArn ?? (stateful ? (await stateful).TokenKeyArn : undefined);
  const usagePlanId = flags.usagePlan ?? outputs.UsagePlanId;
  if (needsUsagePlan && !usagePlanId) {
    throw new TargetError(`Stack ${stackName} has no UsagePlanId output: pass --usage-plan <id>, or check that --stack names the platform stack`);
  }
  return {
    kind: 'aws',
    tableName,
    region,
    usagePlanId,
    stackName,
    ...(tokenKeyArn ? { tokenKeyArn } : {}),
    ...(outputs.ApiUrl ? { apiUrl: outputs.ApiUrl } : {}),
    // Deployed, the portal and its links are on their own distribution, not on the API's domain.
    ...(outputs.PortalBaseUrl ? { portalBaseUrl: outputs.PortalBaseUrl } : {}),
  };
}

/**
 * The stateful stack deployed beside a platform stack: `switchboard-<stage>-platform` has
 * `switchboard-<stage>-stateful` (infra/stacks/switchboard.ts), in whichever case it was named.
 */
export function statefulSiblingOf(stackName: string): string {
  return stackName.replace(/-(p)latform$/i, (_match, p: string) => (p === 'P' ? '-Stateful' : '-stateful'));
}

/** A stack's outputs by key. A missing stack is an operator error, reported with the region looked in. */
export async function stackOutputs(
  client: CloudFormationClient,
  stackName: string,
  region: string,
  missingIsEmpty = false,
): Promise<Record<string, string>> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs: Record<string, string> = {};
    for (const output of Stacks?.[0]?.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue) outputs[output.OutputKey] = output.OutputValue;
    }
    return outputs;
  } catch (error) {
    // CloudFormation reports a missing stack as a ValidationError "Stack with id … does not exist".
    const missing = error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message);
    if (missing && missingIsEmpty) return {};
    if (missing) throw new TargetError(`Stack ${stackName} does not exist in ${region}`);
    throw error;
  }
}

/**
 * Where the dlq, onboarding and events commands run: a table (for the services they reuse) plus
 * the platform's queues and workflow, which only the running local platform or a deployed
 * stack's outputs can name.
 */
export type OperationsTarget =
  | (Extract<Target, { kind: 'local' }> & { operator: OperatorAccess })
  | (Extract<Target, { kind: 'aws' }> & { stackName: string; stateMachineArn?: string; queues: Record<QueueName, QueuePair> });

/** The stateful stack's output keys of a queue and its DLQ (see infra/stacks/stateful-stack.ts). */
export const queueOutputKeys = (queue: QueueName) => ({ url: `QueueUrl${pascalCase(queue)}`, deadLetterUrl: `DeadLetterQueueUrl${pascalCase(queue)}` });

export async function resolveOperationsTarget(flags: TargetFlags, sources: TargetSources): Promise<OperationsTarget> {
  if (!flags.stack) {
    const platform = await sources.readLocalPlatform();
    if (!platform) throw new TargetError('The local platform is not running (no .local/platform.json): start it with `npm start`, or pass --stack for a deployed stack');
    if (!platform.operator) throw new TargetError('The running local platform has no operator endpoint in .local/platform.json: restart it with `npm start`');
    return { kind: 'local', endpoint: platform.dynamoEndpoint, tableName: platform.tableName, region: flags.region ?? platform.region, operator: platform.operator };
  }
  const region = await sources.awsRegion(flags.region);
  const cloudFormation = sources.cloudFormation(region);
  const platformOutputs = await stackOutputs(cloudFormation, flags.stack, region);
  // The queues belong to the stateful stack.
  const statefulStack = statefulSiblingOf(flags.stack);
  const statefulOutputs = statefulStack === flags.stack ? platformOutputs : await stackOutputs(cloudFormation, statefulStack, region, true);
  const tableName = platformOutputs.TableName ?? statefulOutputs.TableName;
  if (!tableName) throw new TargetError(`Stack ${flags.stack} has no TableName output (nor has ${statefulStack})`);
  const missing: string[] = [];
  const queues = {} as Record<QueueName, QueuePair>;
  for (const queue of Object.keys(QUEUES) as QueueName[]) {
    const keys = queueOutputKeys(queue);
    const url = statefulOutputs[keys.url];
    const deadLetterUrl = statefulOutputs[keys.deadLetterUrl];
    if (!url) missing.push(keys.url);
    if (!deadLetterUrl) missing.push(keys.deadLetterUrl);
    if (url && deadLetterUrl) queues[queue] = { url, deadLetterUrl };
  }
  if (missing.length > 0) {
    throw new TargetError(`Stack ${statefulStack} lacks the queue outputs ${missing.join(', ')}: --stack names the platform stack (switchboard-<stage>-platform), whose stateful sibling exports them`);
  }
  return { kind: 'aws', tableName, region, stackName: flags.stack, queues, ...(platformOutputs.StateMachineArn ? { stateMachineArn: platformOutputs.StateMachineArn } : {}) };
}

/**
 * The key-service and Twilio variables for commands that act as a customer on Twilio: the local
 * platform's own key and sandbox for its own table, or a stack's token key (its TokenKeyArn output)
 * and real Twilio. Undefined when the target has neither, and those commands are refused.
 */
export function twilioEnvironment(target: Target): Record<'KEY_SERVICE' | 'LOCAL_MASTER_KEY' | 'KMS_KEY_ID' | 'TWILIO_BASE_URL', string | undefined> | undefined {
  if (target.kind === 'local') {
    if (!target.twilio) return undefined;
    return { KEY_SERVICE: 'local', LOCAL_MASTER_KEY: target.twilio.localMasterKey, KMS_KEY_ID: undefined, TWILIO_BASE_URL: target.twilio.twilioBaseUrl };
  }
  if (!target.tokenKeyArn) return undefined;
  return { KEY_SERVICE: 'kms', LOCAL_MASTER_KEY: undefined, KMS_KEY_ID: target.tokenKeyArn, TWILIO_BASE_URL: undefined };
}

/** Key prefixes tell environments apart at a glance (and in secret scanners). */
export const KEY_PREFIX = { local: 'sb_test_', aws: 'sb_live_' } as const;

/**
 * The environment `shared/config.ts` parses at import time. Every variable is set or removed, so a
 * DYNAMODB_ENDPOINT left in the operator's shell from local work cannot redirect a deployed command.
 */
export function configEnvironment(target: Target): Record<'TABLE_NAME' | 'AWS_REGION' | 'API_KEY_PREFIX' | 'DYNAMODB_ENDPOINT', string | undefined> {
  return {
    TABLE_NAME: target.tableName,
    AWS_REGION: target.region,
    API_KEY_PREFIX: KEY_PREFIX[target.kind],
    DYNAMODB_ENDPOINT: target.kind === 'local' ? target.endpoint : undefined,
  };
}

import { resolve } from 'node:path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { TargetFlags } from './args';
import type { Connection } from './cli';
import { sqsDeadLetters } from './dead-letters';
import { TargetError } from './errors';
import { localDeadLetters, localQueue, localWorkflow } from './local-operator';
import type { Operations } from './operations';
import { configEnvironment, readLocalPlatformFile, resolveOperationsTarget, resolveTarget, twilioEnvironment, type Target, type TargetSources } from './target';
import { apiGatewayUsagePlan } from './usage-plan';

/** Written by the local platform while it runs, at the project root whatever the working directory. */
const LOCAL_PLATFORM_FILE = resolve(__dirname, '../../.local/platform.json');

/** Where the CLI finds its targets; `platformFile` is the local platform's connection file. */
export function targetSources(platformFile: string): TargetSources {
  return {
    readLocalPlatform: () => readLocalPlatformFile(platformFile),

    async awsRegion(flag) {
      if (flag) return flag;
      try {
        return await new CloudFormationClient({}).config.region();
      } catch {
        throw new TargetError('No AWS region: pass --region, or set AWS_REGION or a region in the AWS profile');
      }
    },

    cloudFormation: (region) => new CloudFormationClient({ region }),
  };
}

const sources = targetSources(LOCAL_PLATFORM_FILE);

/** Resolves the target, points `shared/config.ts` at it, then loads the partner wiring. */
export async function connect(flags: TargetFlags, needsUsagePlan: boolean): Promise<Connection> {
  const target = await resolveTarget(flags, needsUsagePlan, sources);
  pointConfigAt(target);
  const { partners } = require('../../shared/wiring/partners') as typeof import('../../shared/wiring/partners');
  const { config } = require('../../shared/config') as typeof import('../../shared/config');
  // Twilio's usage records need the ISV master credentials: only when the operator set them (with
  // TWILIO_BASE_URL for the local sandbox); the table's own figures need nothing more.
  const wiring = require('../../shared/wiring/usage') as typeof import('../../shared/wiring/usage');
  const usage = config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN ? wiring.usage : wiring.tableUsage;
  const usagePlan =
    target.kind === 'aws' && target.usagePlanId
      ? apiGatewayUsagePlan(new APIGatewayClient({ region: target.region }), target.usagePlanId)
      : undefined;
  // Loaded on first use: the key service and the Twilio SDK, which no partner command needs.
  const tokenRotation = twilioEnvironment(target)
    ? () => (require('../../shared/wiring/token-rotation') as typeof import('../../shared/wiring/token-rotation')).tokenRotation
    : undefined;
  const { portalSessions } = require('../../shared/wiring/portal-sessions') as typeof import('../../shared/wiring/portal-sessions');
  // Locally the portal is served on the platform's own URL; deployed on the portal distribution.
  const portalBase = target.kind === 'aws' ? target.portalBaseUrl : target.apiUrl;
  const portal = { links: portalSessions, ...(portalBase ? { baseUrl: portalBase } : {}) };
  return { partners, usage, usagePlan, portal, ...(tokenRotation ? { tokenRotation } : {}) };
}

/**
 * The dlq, onboarding and events commands: the same services as the API over the target's table,
 * with the target's queues and workflow. Locally those live in the `npm start` process and are
 * reached through its operator endpoint; deployed, they are the stack's SQS queues and state
 * machine, named by its outputs.
 */
export async function connectOperations(flags: TargetFlags, from: TargetSources = sources): Promise<Operations> {
  const target = await resolveOperationsTarget(flags, from);
  pointConfigAt(target);
  const { onboardingWith } = require('../../shared/wiring/onboarding') as typeof import('../../shared/wiring/onboarding');
  const { webhookEndpointsWith } = require('../../shared/wiring/webhook-endpoints') as typeof import('../../shared/wiring/webhook-endpoints');
  const { partnerEvents } = require('../../shared/wiring/partner-events') as typeof import('../../shared/wiring/partner-events');
  if (target.kind === 'local') {
    return {
      deadLetters: localDeadLetters(target.operator),
      onboarding: onboardingWith(localWorkflow(target.operator)),
      webhookEndpoints: webhookEndpointsWith(localQueue(target.operator)),
      events: partnerEvents,
    };
  }
  const { createSqsQueue } = require('../../shared/queue/sqs-queue') as typeof import('../../shared/queue/sqs-queue');
  const { createSfnWorkflow } = require('../../shared/workflow/sfn-workflow') as typeof import('../../shared/workflow/sfn-workflow');
  const sqs = new SQSClient({ region: target.region });
  const urls = Object.fromEntries(Object.entries(target.queues).map(([name, pair]) => [name, pair.url]));
  return {
    deadLetters: sqsDeadLetters(sqs, target.queues, new CloudWatchClient({ region: target.region })),
    // Without the output the start fails with the adapter's own "STATE_MACHINE_ARN must be set".
    onboarding: onboardingWith(createSfnWorkflow({ client: new SFNClient({ region: target.region }), stateMachineArn: target.stateMachineArn })),
    webhookEndpoints: webhookEndpointsWith(createSqsQueue({ client: sqs, urls })),
    events: partnerEvents,
  };
}

/**
 * Points `shared/config.ts` at the target before the wiring is loaded. Config is parsed when first
 * loaded, which is why the wiring is required after this rather than imported at the top. The CLI
 * thereby runs the same services and repositories as the API, not a second copy of the DynamoDB
 * calls.
 */
function pointConfigAt(target: Target): void {
  const environment = configEnvironment(target);
  const twilioEnv = twilioEnvironment(target);
  for (const [name, value] of Object.entries({ ...environment, ...twilioEnv })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const { config } = require('../../shared/config') as typeof import('../../shared/config');
  // Should a static import ever load config first, the CLI would write to the default table and
  // region; better to stop than to change the wrong environment.
  if (
    config.TABLE_NAME !== environment.TABLE_NAME ||
    config.AWS_REGION !== environment.AWS_REGION ||
    config.DYNAMODB_ENDPOINT !== environment.DYNAMODB_ENDPOINT ||
    config.API_KEY_PREFIX !== environment.API_KEY_PREFIX
  ) {
    throw new Error('Configuration was loaded before the target was chosen; refusing to run against an unintended table');
  }
}

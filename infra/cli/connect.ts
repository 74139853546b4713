import { resolve } from 'node:path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { TargetFlags } from './args';
import type { Connection } from './cli';
import { TargetError } from './errors';
import { configEnvironment, readLocalPlatformFile, resolveTarget, twilioEnvironment, type TargetSources } from './target';
import { apiGatewayUsagePlan } from './usage-plan';

/** Written by the local platform while it runs, at the project root whatever the working directory. */
const LOCAL_PLATFORM_FILE = resolve(__dirname, '../../.local/platform.json');

const sources: TargetSources = {
  readLocalPlatform: () => readLocalPlatformFile(LOCAL_PLATFORM_FILE),

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

/**
 * Resolves the target, then points `shared/config.ts` at it and only then loads the partner wiring.
 * Config is parsed when first loaded, which is why the wiring is required here rather than imported
 * at the top. The CLI thereby runs the same service and repository as the API, not a second copy
 * of the DynamoDB calls.
 */
export async function connect(flags: TargetFlags, needsUsagePlan: boolean): Promise<Connection> {
  const target = await resolveTarget(flags, needsUsagePlan, sources);
  const environment = configEnvironment(target);
  const twilioEnv = twilioEnvironment(target);
  for (const [name, value] of Object.entries({ ...environment, ...twilioEnv })) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const { partners } = require('../../shared/wiring/partners') as typeof import('../../shared/wiring/partners');
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
  const usagePlan =
    target.kind === 'aws' && target.usagePlanId
      ? apiGatewayUsagePlan(new APIGatewayClient({ region: target.region }), target.usagePlanId)
      : undefined;
  // Loaded on first use: the key service and the Twilio SDK, which no partner command needs.
  const tokenRotation = twilioEnv
    ? () => (require('../../shared/wiring/token-rotation') as typeof import('../../shared/wiring/token-rotation')).tokenRotation
    : undefined;
  return { partners, usagePlan, ...(tokenRotation ? { tokenRotation } : {}) };
}

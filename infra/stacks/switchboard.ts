import * as path from 'node:path';
import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalog, QUEUES } from '../catalog';
import { TABLE } from '../../shared/store/table';
import type { FunctionDefinition, QueueDefinitions } from '../constructs/catalog-types';
import { PlatformStack } from './platform-stack';
import { readSettings } from './settings';
import { StatefulStack } from './stateful-stack';
import { WebhookFirewallStack } from './webhook-firewall-stack';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface SwitchboardOptions {
  /** Defaults to the catalog; tests pass fixtures. */
  readonly functions?: readonly FunctionDefinition[];
  readonly queues?: QueueDefinitions;
}

export interface Switchboard {
  readonly stateful: StatefulStack;
  readonly platform: PlatformStack;
  /** Only when the platform is in a region other than us-east-1. */
  readonly webhookFirewall?: WebhookFirewallStack;
}

/**
 * Both stacks of one stage, from the catalog and the CDK context, with cdk-nag (AwsSolutions)
 * checking every resource at synth: a finding without a recorded acknowledgement fails the synth.
 */
export function defineSwitchboard(app: App, options: SwitchboardOptions = {}): Switchboard {
  const settings = readSettings(app.node);
  // Offline synth: without credentials the stacks are environment-agnostic.
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const terminationProtection = settings.stage === 'prod';

  const stateful = new StatefulStack(app, `switchboard-${settings.stage}-stateful`, {
    env,
    terminationProtection,
    description: `Switchboard ${settings.stage}: table, keys, Twilio master secret, queues`,
    stage: settings.stage,
    table: TABLE,
    queues: options.queues ?? QUEUES,
    alarmEmail: settings.alarmEmail,
  });
  // A CLOUDFRONT web ACL can only be created in us-east-1: a platform elsewhere gets it from a
  // stack of its own there. The CDK CLI always knows the region (the profile's, else us-east-1);
  // only an app built without it (the infra tests) has none, and then platform holds the ACL.
  const webhookFirewall =
    env.region && env.region !== 'us-east-1'
      ? new WebhookFirewallStack(app, `switchboard-${settings.stage}-webhook-firewall`, {
          env: { account: env.account, region: 'us-east-1' },
          terminationProtection,
          description: `Switchboard ${settings.stage}: rate limit of the webhook distribution (WAF, us-east-1)`,
          stage: settings.stage,
          rateLimit: settings.webhookRateLimit,
        })
      : undefined;
  const platform = new PlatformStack(app, `switchboard-${settings.stage}-platform`, {
    env,
    crossRegionReferences: webhookFirewall !== undefined,
    webhookFirewall: webhookFirewall?.firewall,
    terminationProtection,
    description: `Switchboard ${settings.stage}: functions, partner API, portal, webhooks, consumers`,
    settings,
    functions: options.functions ?? catalog,
    projectRoot: PROJECT_ROOT,
    stateful,
  });

  Tags.of(app).add('project', 'switchboard');
  Tags.of(app).add('stage', settings.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, platform, webhookFirewall };
}

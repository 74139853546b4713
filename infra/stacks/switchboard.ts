import * as path from 'node:path';
import { Tags, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalog, QUEUES } from '../catalog';
import { TABLE } from '../../shared/store/table';
import type { FunctionDefinition, QueueDefinitions } from '../constructs/catalog-types';
import { PlatformStack } from './platform-stack';
import { readSettings } from './settings';
import { StatefulStack } from './stateful-stack';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export interface SwitchboardOptions {
  /** Defaults to the catalog; tests pass fixtures. */
  readonly functions?: readonly FunctionDefinition[];
  readonly queues?: QueueDefinitions;
}

export interface Switchboard {
  readonly stateful: StatefulStack;
  readonly platform: PlatformStack;
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
  const platform = new PlatformStack(app, `switchboard-${settings.stage}-platform`, {
    env,
    terminationProtection,
    description: `Switchboard ${settings.stage}: functions, partner API, webhooks, consumers`,
    settings,
    functions: options.functions ?? catalog,
    projectRoot: PROJECT_ROOT,
    stateful,
  });

  Tags.of(app).add('project', 'switchboard');
  Tags.of(app).add('stage', settings.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stateful, platform };
}

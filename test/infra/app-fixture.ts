import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { defineSwitchboard, type SwitchboardOptions } from '../../infra/stacks/switchboard';

/**
 * Builds both stacks the way `infra/app.ts` does, with bundling skipped (`aws:cdk:bundling-stacks`
 * empty) so a synth takes well under a second and needs no esbuild run.
 */
export function buildApp(options: SwitchboardOptions = {}, context: Record<string, unknown> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = defineSwitchboard(app, options);
  return {
    app,
    ...stacks,
    stateful: stacks.stateful,
    platform: stacks.platform,
    statefulTemplate: () => Template.fromStack(stacks.stateful),
    platformTemplate: () => Template.fromStack(stacks.platform),
    /** The partner API's nested stack (resources, methods, invoke permissions, gateway responses). */
    apiTemplate: () => Template.fromStack(stacks.platform.apiStack!),
    /** The portal site's and its distribution's nested stack. */
    portalTemplate: () => Template.fromStack(stacks.platform.portalStack!),
    /** The alarms' and dashboard's nested stack. */
    monitoringTemplate: () => Template.fromStack(stacks.platform.monitoringStack),
  };
}

/** A CloudFormation resource as `Template.findResources` returns it. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
}

export interface PolicyStatement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every inline IAM policy in the template, with the policy's logical id. */
export function policyStatements(template: Template): { policy: string; roles: unknown[]; statement: PolicyStatement }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument.Statement as PolicyStatement[]).map((statement) => ({ policy, roles: resource.Properties.Roles, statement })),
  );
}

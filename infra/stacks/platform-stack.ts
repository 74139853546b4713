import { CfnOutput, NestedStack, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CatalogFunctions } from '../constructs/catalog-functions';
import { documentBucketRef } from '../constructs/document-bucket';
import type { FunctionDefinition } from '../constructs/catalog-types';
import { OnboardingWorkflow } from '../constructs/onboarding-workflow';
import { Operations } from '../constructs/operations';
import { PartnerApi } from '../constructs/partner-api';
import { PortalSite, builtPortal, portalBaseUrlParameterArn, portalBaseUrlParameterName } from '../constructs/portal-site';
import { WebhookEdge, WebhookFirewall, webhookBaseUrlParameterArn, webhookBaseUrlParameterName } from '../constructs/webhook-edge';
import type { Settings } from './settings';
import type { StatefulStack } from './stateful-stack';

export interface PlatformStackProps extends StackProps {
  readonly settings: Settings;
  /** The catalog (tests pass fixtures). */
  readonly functions: readonly FunctionDefinition[];
  readonly projectRoot: string;
  /** Typed references to the stateful resources; CDK wires the cross-stack values. */
  readonly stateful: Pick<StatefulStack, 'table' | 'tokenKey' | 'twilioMaster' | 'queues' | 'alarms'>;
  /** The webhooks' web ACL when it lives in its own us-east-1 stack; unset, this stack holds it (it is in us-east-1 then). */
  readonly webhookFirewall?: WebhookFirewall;
}

/**
 * The stateless part: one function per catalog entry, the partner REST API, the portal (its files
 * and the API behind one CloudFront distribution), webhook function URLs behind their CloudFront
 * distribution, and queue consumers. It can be destroyed and redeployed
 * without losing data (a new distribution has a new domain: Twilio's callback URLs follow it only
 * with a custom webhook domain).
 */
export class PlatformStack extends Stack {
  readonly functions: CatalogFunctions;
  readonly api?: PartnerApi;
  readonly workflow?: OnboardingWorkflow;
  readonly operations: Operations;
  /** The nested stacks, for the tests that read their templates. */
  readonly apiStack?: NestedStack;
  readonly portalStack?: NestedStack;
  readonly portal?: PortalSite;
  readonly monitoringStack: NestedStack;
  readonly webhookEdge?: WebhookEdge;
  readonly webhookFirewall?: WebhookFirewall;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { settings, stateful } = props;

    this.functions = new CatalogFunctions(this, 'Functions', {
      functions: props.functions,
      projectRoot: props.projectRoot,
      table: stateful.table,
      tokenKey: stateful.tokenKey,
      twilioMaster: stateful.twilioMaster,
      queues: stateful.queues,
      documents: documentBucketRef(settings.stage),
      logRetention: settings.logRetention,
      logLevel: settings.logLevel,
      webhookBaseUrlParameter: { name: webhookBaseUrlParameterName(settings.stage), arn: webhookBaseUrlParameterArn(this, settings.stage) },
      portalBaseUrlParameter: { name: portalBaseUrlParameterName(settings.stage), arn: portalBaseUrlParameterArn(this, settings.stage) },
      twilioSettings: settings.twilio,
      metaApp: settings.metaApp,
      webhookReservedConcurrency: settings.webhookReservedConcurrency,
    });

    // Only when the catalog has the workflow's task functions (fixture catalogs in tests may not).
    if (OnboardingWorkflow.isComplete(this.functions)) {
      this.workflow = new OnboardingWorkflow(this, 'OnboardingWorkflow', { functions: this.functions, logRetention: settings.logRetention });
      new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn, description: 'Customer onboarding state machine' });
    }

    const { apiRoutes, authorizer, routeFallback } = this.functions;
    if (apiRoutes.length > 0) {
      if (!authorizer) throw new Error('The catalog has API routes but no function with trigger "authorizer"');
      if (!routeFallback) throw new Error('The catalog has API routes but no function with trigger "routeFallback"');
      // The API (its resources, methods, invoke permissions and gateway responses) and the
      // monitoring each live in a nested stack: together with the functions they would pass
      // CloudFormation's 500-resource limit of one stack, and a nested stack is deployed with its
      // parent by the same `cdk deploy`, its references wired as parameters (no exports to lock).
      this.apiStack = new NestedStack(this, 'Api', { description: `Switchboard ${settings.stage}: partner REST API` });
      this.api = new PartnerApi(this.apiStack, 'PartnerApi', {
        stageName: settings.stage,
        routes: apiRoutes,
        authorizer,
        routeFallback,
        partnerLimits: settings.partnerLimits,
        stageLimits: settings.stageLimits,
        logRetention: settings.logRetention,
      });
      new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Partner API base URL; append catalog paths such as /v1/customers' });
      new CfnOutput(this, 'RestApiId', { value: this.api.api.restApiId });
      new CfnOutput(this, 'UsagePlanId', { value: this.api.usagePlan.usagePlanId, description: 'Add each partner API key (value = partnerId) here' });

      // The portal and the API paths it calls on one distribution of its own nested stack.
      this.portalStack = new NestedStack(this, 'Portal', { description: `Switchboard ${settings.stage}: portal site and its distribution` });
      this.portal = new PortalSite(this.portalStack, 'PortalSite', {
        stage: settings.stage,
        api: this.api.api,
        apiStageName: settings.stage,
        siteDir: builtPortal(props.projectRoot),
        domain: settings.portalDomain,
        logRetention: settings.logRetention,
        metaEmbeddedSignup: settings.metaApp !== undefined,
      });
      new CfnOutput(this, 'PortalBaseUrl', { value: this.portal.baseUrl, description: 'The portal is <base>/portal/; its sign-in links (POST …/portal-sessions) open on <base>/portal/link/…' });
      new CfnOutput(this, 'PortalDistributionDomain', {
        value: this.portal.distribution.distributionDomainName,
        description: 'CNAME target for a custom portal domain (portalBaseUrl)',
      });
    }

    this.monitoringStack = new NestedStack(this, 'Monitoring', { description: `Switchboard ${settings.stage}: alarms and dashboard` });
    this.operations = new Operations(this.monitoringStack, 'Operations', {
      stage: settings.stage,
      functions: this.functions,
      queues: stateful.queues,
      table: stateful.table,
      api: this.api,
      workflow: this.workflow,
    });
    // Last: every alarm of this stack, the catalog's stream dead-letter alarms included, reaches the topic.
    stateful.alarms.routeAll(this);
    new CfnOutput(this, 'DashboardName', { value: this.operations.dashboard.dashboardName, description: 'CloudWatch dashboard of the stage' });

    new CfnOutput(this, 'TableName', { value: stateful.table.table.tableName });
    // With the table, what the operator CLI needs to rotate a subaccount token against this stage.
    new CfnOutput(this, 'TokenKeyArn', { value: stateful.tokenKey.key.keyArn });
    new CfnOutput(this, 'Region', { value: this.region });

    if (this.functions.webhooks.length > 0) {
      this.webhookFirewall = props.webhookFirewall ?? new WebhookFirewall(this, 'WebhookFirewall', { stage: settings.stage, rateLimit: settings.webhookRateLimit });
      this.webhookEdge = new WebhookEdge(this, 'WebhookEdge', {
        stage: settings.stage,
        receivers: this.functions.webhooks,
        webAclArn: this.webhookFirewall.webAcl.attrArn,
        domain: settings.webhookDomain,
        logRetentionDays: settings.logRetention,
      });
      new CfnOutput(this, 'WebhookBaseUrl', { value: this.webhookEdge.baseUrl, description: 'Twilio webhook receivers: <base>/inbound, /status, /events, /trusthub' });
      new CfnOutput(this, 'WebhookDistributionDomain', {
        value: this.webhookEdge.distribution.distributionDomainName,
        description: 'CNAME target for a custom webhook domain (webhookBaseUrl)',
      });
    }
  }
}


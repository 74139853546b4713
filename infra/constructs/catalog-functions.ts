import type * as logs from 'aws-cdk-lib/aws-logs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Annotations, Duration, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AUTHORIZER_CACHE_SECONDS, type ApiTrigger } from '../catalog';
import { pascalCase, type FunctionDefinition } from './catalog-types';
import type { DataTable } from './data-table';
import type { DocumentBucketRef } from './document-bucket';
import { ProjectFunction, type SsmParameterRef } from './project-function';
import type { TokenKey } from './token-key';
import type { TwilioMasterSecret } from './twilio-master-secret';
import type { WorkQueues } from './work-queues';
import { WEBHOOK_REFUSALS_PREFIX } from '../../shared/store/keys';

export interface CatalogFunctionsProps {
  /** The catalog (tests pass fixtures). */
  readonly functions: readonly FunctionDefinition[];
  readonly projectRoot: string;
  readonly table: DataTable;
  readonly tokenKey: TokenKey;
  readonly twilioMaster: TwilioMasterSecret;
  readonly queues: WorkQueues;
  /** The supporting documents' bucket, for functions whose access names `documents`. */
  readonly documents?: DocumentBucketRef;
  readonly logRetention: logs.RetentionDays;
  readonly logLevel: string;
  /**
   * The SSM parameter the webhook distribution's URL is written to (`<base>/<name>` is each
   * receiver's canonical URL): its fixed name and ARN, never a reference to the parameter itself.
   */
  readonly webhookBaseUrlParameter: SsmParameterRef;
  /** The SSM parameter the portal distribution's URL is written to, for the functions that mint portal links (`access.portalLinks`). */
  readonly portalBaseUrlParameter: SsmParameterRef;
  /** The ISV's TrustHub settings for A2P registration (`TWILIO_PRIMARY_PROFILE_SID`, `TWILIO_NOTIFICATION_EMAIL`). */
  readonly twilioSettings?: { readonly primaryProfileSid?: string; readonly notificationEmail?: string };
  /** The platform's Meta app, for the functions with `access.metaApp` (unset: they answer a simulated hand-off). */
  readonly metaApp?: { readonly appId: string; readonly configId: string };
  /** Reserved concurrency of each webhook receiver (a cap, so a flood cannot take the account's pool); 0 or unset = unreserved. */
  readonly webhookReservedConcurrency?: number;
}

export interface ApiRouteFunction {
  readonly trigger: ApiTrigger;
  readonly function: ProjectFunction;
}

export interface WebhookReceiver {
  readonly name: string;
  readonly function: ProjectFunction;
  readonly url: lambda.FunctionUrl;
}

/**
 * One {@link ProjectFunction} per catalog entry, its permissions derived from `access`, and every
 * trigger that is not the REST API wired here: function URLs for Twilio webhooks, SQS event sources
 * for consumers, and the ARNs of workflow tasks. A new catalog entry of any of these kinds needs no
 * change here.
 */
export class CatalogFunctions extends Construct {
  readonly all: readonly ProjectFunction[];
  readonly apiRoutes: readonly ApiRouteFunction[];
  readonly authorizer?: ProjectFunction;
  readonly routeFallback?: ProjectFunction;
  readonly webhooks: readonly WebhookReceiver[];
  /**
   * The seam for the onboarding state machine: ASL substitution name → task function. The workflow
   * construct passes `definitionSubstitutions` from {@link taskArnSubstitutions} and grants invoke.
   */
  readonly workflowTasks: ReadonlyMap<string, ProjectFunction>;

  constructor(scope: Construct, id: string, props: CatalogFunctionsProps) {
    super(scope, id);
    const apiRoutes: ApiRouteFunction[] = [];
    const webhooks: WebhookReceiver[] = [];
    const workflowTasks = new Map<string, ProjectFunction>();
    let authorizer: ProjectFunction | undefined;
    let routeFallback: ProjectFunction | undefined;
    const scheduled: ProjectFunction[] = [];
    // One role for every schedule, assumable by EventBridge Scheduler for this account only.
    let schedulesRole: iam.Role | undefined;
    const schedulerRole = () =>
      (schedulesRole ??= new iam.Role(this, 'SchedulesRole', {
        description: 'EventBridge Scheduler: invokes the scheduled Switchboard functions',
        assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      }));

    const all = props.functions.map((definition) => {
      const isReceiver = definition.trigger.kind === 'functionUrl';
      const fn = new ProjectFunction(this, pascalCase(definition.id), {
        definition,
        projectRoot: props.projectRoot,
        logRetention: props.logRetention,
        logLevel: props.logLevel,
        ...(isReceiver && props.webhookReservedConcurrency ? { reservedConcurrentExecutions: props.webhookReservedConcurrency } : {}),
        // Receivers verify signatures over `<base>/<name>`; whatever calls Twilio hands it those URLs.
        ...(isReceiver || callsTwilio(definition) ? { webhookBaseUrlParameter: props.webhookBaseUrlParameter } : {}),
        ...(definition.access.portalLinks ? { portalBaseUrlParameter: props.portalBaseUrlParameter } : {}),
      });
      this.applyAccess(fn, props);

      const { trigger } = definition;
      switch (trigger.kind) {
        case 'api':
          apiRoutes.push({ trigger, function: fn });
          break;
        case 'authorizer':
          authorizer = single('authorizer', authorizer, fn);
          // The API Gateway cache is off (cookie requests have no Authorization to key it on): the
          // function keeps the per-key cache itself, for as long as the gateway kept it.
          fn.addEnvironment('AUTHORIZER_KEY_CACHE_SECONDS', String(AUTHORIZER_CACHE_SECONDS));
          break;
        case 'routeFallback':
          routeFallback = single('routeFallback', routeFallback, fn);
          break;
        case 'functionUrl':
          webhooks.push({ name: trigger.name, function: fn, url: this.addWebhookUrl(fn) });
          break;
        case 'queue':
          fn.fn.addEventSource(
            new SqsEventSource(props.queues.get(trigger.queue, definition.id).queue, {
              batchSize: trigger.batchSize,
              ...(trigger.maxConcurrency ? { maxConcurrency: trigger.maxConcurrency } : {}),
              // Consumers answer with the failed message ids; only those are retried, then dead-lettered.
              reportBatchItemFailures: true,
            }),
          );
          break;
        case 'tableStream':
          fn.fn.addEventSource(
            new DynamoEventSource(props.table.table, {
              startingPosition: lambda.StartingPosition.TRIM_HORIZON,
              batchSize: trigger.batchSize,
              maxBatchingWindow: Duration.seconds(0),
              retryAttempts: trigger.retryAttempts,
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              onFailure: new SqsDlq(this.streamDeadLetterQueue(definition.id)),
              // Only the rows the function is for: it is not invoked for the table's other writes.
              filters: [
                lambda.FilterCriteria.filter({
                  eventName: lambda.FilterRule.or(...trigger.filter.eventName),
                  dynamodb: { NewImage: { entity: { S: lambda.FilterRule.or(...trigger.filter.entity) } } },
                }),
              ],
            }),
          );
          break;
        case 'schedule':
          // EventBridge Scheduler. The handlers read the run's time as `time`, the field an
          // EventBridge event has, so the local runner and Lambda hand them the same shape. A run
          // that could not start is retried only while it is the current one: the next run follows.
          new scheduler.Schedule(this, `${pascalCase(definition.id)}Schedule`, {
            description: `Switchboard: runs ${definition.id} every ${trigger.rateMinutes} minute(s)`,
            schedule: scheduler.ScheduleExpression.rate(Duration.minutes(trigger.rateMinutes)),
            target: new schedulerTargets.LambdaInvoke(fn.fn, {
              role: schedulerRole(),
              input: scheduler.ScheduleTargetInput.fromObject({ time: scheduler.ContextAttribute.scheduledTime, source: 'aws.scheduler' }),
              retryAttempts: 2,
              maxEventAge: Duration.minutes(Math.max(1, trigger.rateMinutes)),
            }),
          });
          scheduled.push(fn);
          break;
        case 'workflowTask':
          if (workflowTasks.has(trigger.substitution)) throw new Error(`Two workflow tasks use the substitution "${trigger.substitution}"`);
          workflowTasks.set(trigger.substitution, fn);
          break;
      }
      return fn;
    });

    if (schedulesRole) {
      Validations.of(schedulesRole.node.findChild('DefaultPolicy')).acknowledge(
        ...scheduled.map((fn) => ({
          id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.fn.node.defaultChild as CfnElement)}.Arn>:*]`,
          reason: 'lambda:InvokeFunction on the versions and aliases of the scheduled functions only (grantInvoke adds ":*").',
        })),
      );
    }

    this.all = all;
    this.apiRoutes = apiRoutes;
    this.authorizer = authorizer;
    this.routeFallback = routeFallback;
    this.webhooks = webhooks;
    this.workflowTasks = workflowTasks;
    this.shareTwilioSettings(props.twilioSettings);
    for (const fn of this.all.filter((f) => f.definition.access.metaApp && props.metaApp)) {
      fn.addEnvironment('META_APP_ID', props.metaApp!.appId);
      fn.addEnvironment('META_EMBEDDED_SIGNUP_CONFIG_ID', props.metaApp!.configId);
    }
  }

  /** Where stream records that failed every retry go (with an alarm as soon as one does), per stream consumer. */
  private streamDeadLetterQueue(functionId: string): sqs.Queue {
    const id = pascalCase(functionId);
    const queue = new sqs.Queue(this, `${id}StreamDeadLetterQueue`, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the event source mapping's on-failure destination for the table stream: a dead-letter queue itself, which Lambda (not a RedrivePolicy) writes to, so cdk-nag cannot see it is one.",
    });
    new cloudwatch.Alarm(this, `${id}StreamDeadLetterAlarm`, {
      alarmDescription: `Switchboard stream consumer "${functionId}": table stream records failed every retry and were dead-lettered (their position in the stream is in the message). Inspect and replay. Runbook: docs/runbooks/dead-letter-queue.md`,
      metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return queue;
  }

  /** Registration needs the ISV's primary profile and notification inbox wherever Twilio is called. */
  private shareTwilioSettings(settings: CatalogFunctionsProps['twilioSettings']): void {
    if (!settings?.primaryProfileSid || !settings.notificationEmail) {
      Annotations.of(this).addWarningV2(
        'switchboard:twilioSettings',
        'No twilioPrimaryProfileSid / twilioNotificationEmail context: A2P registration steps will refuse to run. Deploy with -c twilioPrimaryProfileSid=BU… -c twilioNotificationEmail=…',
      );
    }
    for (const fn of this.all) {
      if (!(fn.definition.access.twilioMaster || fn.definition.access.keys?.length)) continue;
      if (settings?.primaryProfileSid) fn.addEnvironment('TWILIO_PRIMARY_PROFILE_SID', settings.primaryProfileSid);
      if (settings?.notificationEmail) fn.addEnvironment('TWILIO_NOTIFICATION_EMAIL', settings.notificationEmail);
    }
  }

  /** `${FunctionArn_…}` substitutions for the ASL document. */
  taskArnSubstitutions(): Record<string, string> {
    return Object.fromEntries([...this.workflowTasks].map(([name, fn]) => [name, fn.fn.functionArn]));
  }

  /** Called by the workflow construct once the state machine exists: grants what `access.workflow` asks for. */
  bindWorkflow(stateMachine: sfn.IStateMachine): void {
    for (const fn of this.all) {
      const operations = fn.definition.access.workflow ?? [];
      if (operations.length > 0) fn.bindStateMachine(stateMachine, operations);
    }
  }

  private applyAccess(fn: ProjectFunction, props: CatalogFunctionsProps): void {
    const { access } = fn.definition;
    if (access.table) fn.bindTable(props.table, access.table);
    if (access.keys?.length) fn.bindTokenKey(props.tokenKey, access.keys);
    if (access.webhookSecrets?.length) fn.bindWebhookSecrets(props.tokenKey, access.webhookSecrets);
    if (access.sendTo?.length) fn.bindQueueSenders(access.sendTo.map((name) => props.queues.get(name, fn.definition.id)));
    if (access.twilioMaster) fn.bindTwilioMaster(props.twilioMaster);
    if (access.queueDepth) fn.bindQueueDepth([...props.queues.byName.values()]);
    if (access.webhookRefusals) props.table.grantPrefixUpdates(fn, WEBHOOK_REFUSALS_PREFIX);
    if (access.documents?.length) {
      if (!props.documents) throw new Error(`${fn.definition.id} needs the documents bucket, which was not given`);
      fn.bindDocuments(props.documents, access.documents);
    }
  }

  private addWebhookUrl(fn: ProjectFunction): lambda.FunctionUrl {
    const url = fn.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    // Auth NONE, not AWS_IAM with CloudFront origin access control: see WebhookEdge for why OAC
    // cannot carry Twilio's POSTs. AwsSolutions has no rule on function URLs; the compliance packs
    // that flag public Lambda access do.
    const reason =
      'Twilio cannot sign requests with AWS SigV4 (nor send the x-amz-content-sha256 header CloudFront origin access control needs for a POST): ' +
      "the function URL is public by design and the handler verifies Twilio's X-Twilio-Signature (HMAC-SHA1 with the account's auth token " +
      'over the canonical URL behind the webhook distribution) before enqueueing; unsigned or forged requests get 403 and nothing is enqueued.';
    // Scoped to the two public permissions the URL adds (InvokeFunctionUrl and InvokeFunction via the URL).
    for (const permissionId of ['invoke-function-url', 'invoke-function']) {
      const permission = fn.fn.node.findChild(permissionId);
      for (const pack of ['HIPAA.Security', 'NIST.800.53.R4', 'NIST.800.53.R5', 'PCI.DSS.321']) {
        Validations.of(permission).acknowledge({ id: `${pack}-LambdaFunctionPublicAccessProhibited`, reason });
      }
    }
    return url;
  }
}

/** Functions that call Twilio: they give it the receivers' URLs for callbacks. */
function callsTwilio(definition: FunctionDefinition): boolean {
  return Boolean(definition.access.twilioMaster || definition.access.keys?.length);
}

function single(kind: string, existing: ProjectFunction | undefined, next: ProjectFunction): ProjectFunction {
  if (existing) throw new Error(`The catalog declares more than one ${kind} function: ${existing.definition.id}, ${next.definition.id}`);
  return next;
}

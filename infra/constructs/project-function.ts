import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FunctionDefinition } from './catalog-types';
import type { DataTable, TableAccess } from './data-table';
import type { DocumentBucketRef } from './document-bucket';
import type { KeyOperation, TokenKey } from './token-key';
import type { TwilioMasterSecret } from './twilio-master-secret';
import type { WorkQueue } from './work-queues';

/**
 * Node.js 24 is the newest runtime this aws-cdk-lib knows; cdk-nag (AwsSolutions-L1) asks for the
 * latest of the family, and the esbuild target follows the runtime so nothing is down-levelled.
 */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

export type WorkflowOperation = 'start' | 'callback';

export interface ProjectFunctionProps {
  readonly definition: FunctionDefinition;
  /** Root the catalog's `entry` paths are relative to; holds `package-lock.json` and `tsconfig.json`. */
  readonly projectRoot: string;
  readonly logRetention: logs.RetentionDays;
  /** POWERTOOLS_LOG_LEVEL. */
  readonly logLevel: string;
  /** Caps this function's share of the account's concurrency; unset = unreserved. */
  readonly reservedConcurrentExecutions?: number;
  /** The SSM parameter holding the webhook base URL, for functions that verify or hand out webhook URLs. */
  readonly webhookBaseUrlParameter?: SsmParameterRef;
  /** The SSM parameter holding the portal distribution's URL, for functions that mint portal links. */
  readonly portalBaseUrlParameter?: SsmParameterRef;
}

/** An SSM parameter by its fixed name and ARN (never a reference to the resource, which would close cycles). */
export interface SsmParameterRef {
  readonly name: string;
  readonly arn: string;
}

/**
 * The project's Lambda function: every default lives here so that the catalog entry only says what
 * is specific (entry, memory, timeout, access). Each function gets its own role that starts empty
 * except for writing its own log group; the `bind*` helpers grant a resource and set the environment
 * variable the code reads for it in one step, so a permission and its configuration cannot drift.
 */
export class ProjectFunction extends Construct implements iam.IGrantable {
  readonly fn: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly definition: FunctionDefinition;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    const { definition } = props;
    this.definition = definition;

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Switchboard function ${definition.id}: ${definition.description}`,
    });
    this.grantPrincipal = this.role;
    // Instead of AWSLambdaBasicExecutionRole (any log group in the account): this function's group only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
    );

    // Parameter → the variable naming it to the code.
    const parameters: Array<[string, SsmParameterRef]> = [];
    if (props.webhookBaseUrlParameter) parameters.push(['WEBHOOK_BASE_URL_PARAMETER', props.webhookBaseUrlParameter]);
    if (props.portalBaseUrlParameter) parameters.push(['PORTAL_BASE_URL_PARAMETER', props.portalBaseUrlParameter]);

    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, definition.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      description: definition.description,
      runtime: FUNCTION_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: definition.memoryMb ?? 512,
      timeout: Duration.seconds(definition.timeoutSeconds ?? 10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // The Parameters and Secrets extension serves SSM reads on localhost (no SSM client in the
      // bundle); the code caches through Powertools, so the extension's own cache is off.
      ...(parameters.length > 0
        ? { paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, { cacheEnabled: false, logLevel: lambda.ParamsAndSecretsLogLevel.WARN }) }
        : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: definition.id,
        POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        // Stack traces in the logs point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        // Stack traces map back to file and line; the sources themselves stay out of the bundle.
        sourcesContent: false,
        target: ESBUILD_TARGET,
        // The SDK clients are pinned in package-lock.json: bundle them (tree-shaken) rather than
        // run against whatever SDK version the Lambda runtime happens to ship.
        bundleAwsSDK: true,
        // ESM entry points first so esbuild can drop the unused parts of the SDK and Powertools.
        mainFields: ['module', 'main'],
        tsconfig: path.join(props.projectRoot, 'tsconfig.json'),
        forceDockerBundling: false,
      },
    });

    for (const [variable, { name, arn }] of parameters) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [arn] }));
      this.addEnvironment(variable, name);
    }

    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) is granted on "*": X-Ray has no resource-level ' +
        'permissions. Every other statement names its resources (asserted by the infrastructure tests).',
    });
  }

  addEnvironment(name: string, value: string): void {
    this.fn.addEnvironment(name, value);
  }

  /** Item access on the table (GetItem/Query, plus writes for `readwrite`) and TABLE_NAME. */
  bindTable(table: DataTable, access: TableAccess): void {
    table.grantItems(this, access);
    this.addEnvironment('TABLE_NAME', table.table.tableName);
  }

  /** Envelope operations on the token key, only under the tenant encryption context, and the key-service settings. */
  bindTokenKey(key: TokenKey, operations: readonly KeyOperation[]): void {
    key.grantEnvelope(this, operations);
    this.addEnvironment('KEY_SERVICE', 'kms');
    this.addEnvironment('KMS_KEY_ID', key.key.keyArn);
  }

  /** Envelope operations on webhook signing secrets only (their own encryption context). */
  bindWebhookSecrets(key: TokenKey, operations: readonly KeyOperation[]): void {
    key.grantWebhookSecrets(this, operations);
    this.addEnvironment('KEY_SERVICE', 'kms');
    this.addEnvironment('KMS_KEY_ID', key.key.keyArn);
  }

  /** SendMessage on exactly these queues, and QUEUE_URLS (catalog name → URL) for the queue port. */
  bindQueueSenders(queues: readonly WorkQueue[]): void {
    if (queues.length === 0) return;
    for (const { queue } of queues) queue.grantSendMessages(this);
    this.addEnvironment('QUEUE_URLS', Stack.of(this).toJsonString(Object.fromEntries(queues.map((q) => [q.name, q.queue.queueUrl]))));
  }

  /**
   * GetQueueAttributes on exactly these queues and their DLQs, and QUEUE_DEPTH_URLS for the depth
   * port. The oldest message's age is a CloudWatch metric, and GetMetricData has no resource-level
   * permissions: it is the one action of a policy of its own, acknowledged there.
   */
  bindQueueDepth(queues: readonly WorkQueue[]): void {
    if (queues.length === 0) return;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:GetQueueAttributes'], resources: queues.flatMap((q) => [q.queue.queueArn, q.deadLetterQueue.queueArn]) }),
    );
    const urls = Object.fromEntries(queues.flatMap((q) => [[q.name, q.queue.queueUrl], [`${q.name}-dlq`, q.deadLetterQueue.queueUrl]]));
    this.addEnvironment('QUEUE_DEPTH_URLS', Stack.of(this).toJsonString(urls));
    const metrics = new iam.Policy(this, 'QueueAgeMetrics', {
      statements: [new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] })],
    });
    this.role.attachInlinePolicy(metrics);
    Validations.of(metrics).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData (the age of the oldest message of each queue, which SQS publishes only as the AWS/SQS metric) ' +
        'supports no resource-level permissions or condition keys; it reads metrics only, and this policy grants nothing else.',
    });
  }

  /** GetSecretValue on the master credentials and TWILIO_MASTER_SECRET_ARN. */
  bindTwilioMaster(secret: TwilioMasterSecret): void {
    secret.grantRead(this);
    this.addEnvironment('TWILIO_MASTER_SECRET_ARN', secret.secret.secretArn);
  }

  /**
   * Object operations on the documents' bucket — exactly these actions, on its objects only (no
   * listing, no bucket configuration) — and DOCUMENT_BUCKET for the adapter.
   */
  bindDocuments(bucket: DocumentBucketRef, operations: readonly ('put' | 'get' | 'delete')[]): void {
    const actions = { put: 's3:PutObject', get: 's3:GetObject', delete: 's3:DeleteObject' };
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: operations.map((o) => actions[o]), resources: [bucket.objectsArn] }));
    this.addEnvironment('DOCUMENT_BUCKET', bucket.bucketName);
    Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucket.objectsArnFinding}]`,
      reason: "Document objects are keyed by tenant and document id, created at upload: the policy can only name the bucket's objects as a whole. The actions are the exact object operations this function needs.",
    });
  }

  /** Starting executions (and STATE_MACHINE_ARN) and/or reporting task tokens back to the workflow. */
  bindStateMachine(stateMachine: sfn.IStateMachine, operations: readonly WorkflowOperation[]): void {
    if (operations.includes('start')) {
      stateMachine.grantStartExecution(this);
      this.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    }
    if (operations.includes('callback')) stateMachine.grantTaskResponse(this);
  }
}

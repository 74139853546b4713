import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { CatalogFunctions } from './catalog-functions';
import type { DataTable } from './data-table';
import type { OnboardingWorkflow } from './onboarding-workflow';
import { insightsQuery, OPS_METRICS, OPS_NAMESPACE } from './ops-metrics';
import type { PartnerApi } from './partner-api';
import type { ProjectFunction } from './project-function';
import type { WorkQueues } from './work-queues';

export interface OperationsProps {
  readonly stage: string;
  readonly functions: CatalogFunctions;
  readonly queues: WorkQueues;
  readonly table: DataTable;
  readonly api?: PartnerApi;
  readonly workflow?: OnboardingWorkflow;
}

/** The catalog's functions by trigger kind: each group has its own error and throttle alarms and dashboard row. */
export const FUNCTION_GROUPS = {
  api: ['api', 'authorizer', 'routeFallback'],
  webhooks: ['functionUrl'],
  consumers: ['queue'],
  workflow: ['workflowTask'],
  schedules: ['schedule'],
  streams: ['tableStream'],
} as const;
export type FunctionGroup = keyof typeof FUNCTION_GROUPS;

/** Metric math alarms may reference at most 10 metrics. */
const MAX_METRICS_PER_ALARM = 10;
const FIVE_MINUTES = Duration.minutes(5);

const runbook = (name: string) => `Runbook: docs/runbooks/${name}.md`;

/**
 * The stage's alarms (routed to the alarm topic by the stack) and its dashboard: every path
 * Twilio, partners and operators depend on, each alarm naming the runbook that says what to do.
 */
export class Operations extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.stage = props.stage;
    const groups = groupFunctions(props.functions.all);

    for (const [group, fns] of groups) this.functionAlarms(group, fns);
    this.queueAlarms(props.queues);
    if (props.api) this.apiAlarms(props.api);
    if (props.functions.webhooks.length > 0) this.webhookAlarms();
    if (props.workflow) this.workflowAlarms(props.workflow);
    this.tableAlarms(props.table);
    this.kmsAlarm();
    this.partnerDeliveryAlarms(props.functions);
    this.twilioAlarm();
    this.reconcileAlarm();

    this.dashboard = this.buildDashboard(props, groups);
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'> & { description: string; runbook: string }): cloudwatch.Alarm {
    const { description, runbook: name, ...rest } = props;
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `switchboard-${this.stage}-${kebab(id)}`,
      alarmDescription: `Switchboard ${this.stage}: ${description} ${runbook(name)}`,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...rest,
    });
    this.alarms.push(alarm);
    return alarm;
  }

  private functionAlarms(group: FunctionGroup, fns: readonly ProjectFunction[]): void {
    const chunks = chunk(fns, MAX_METRICS_PER_ALARM);
    chunks.forEach((part, index) => {
      const suffix = chunks.length > 1 ? String(index + 1) : '';
      const names = part.map((f) => f.definition.id).join(', ');
      this.alarm(`${pascal(group)}Errors${suffix}`, {
        description: `Lambda errors in the ${group} functions (${names}): at least 5 in 5 minutes.`,
        runbook: 'function-errors',
        metric: sumOf(part.map((f) => f.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })), `${group} errors`),
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
      this.alarm(`${pascal(group)}Throttles${suffix}`, {
        description: `Lambda throttles in the ${group} functions (${names}): invocations refused for lack of concurrency.`,
        runbook: 'function-throttles',
        metric: sumOf(part.map((f) => f.fn.metricThrottles({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })), `${group} throttles`),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    });
  }

  private queueAlarms(queues: WorkQueues): void {
    for (const { name, queue } of queues.byName.values()) {
      this.alarm(`${pascal(name)}OldestMessage`, {
        description: `Queue "${name}": its oldest message has waited more than 10 minutes (consumers stalled, failing or too slow).`,
        runbook: 'queue-backlog',
        metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 600,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
  }

  private apiAlarms(api: PartnerApi): void {
    const stage = api.api.deploymentStage;
    const errors = stage.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
    const count = stage.metricCount({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
    this.alarm('Api5xxRate', {
      description: 'Partner API: more than 2% of requests answered 5xx over 10 minutes (at least 20 requests).',
      runbook: 'api-5xx',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)',
        usingMetrics: { errors, requests: count },
        period: FIVE_MINUTES,
        label: '5xx %',
      }),
      threshold: 2,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
    this.alarm('ApiLatencyP99', {
      description: 'Partner API: p99 latency above 3 s for 15 minutes.',
      runbook: 'api-latency',
      metric: stage.metricLatency({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.percentile(99) }),
      threshold: 3000,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  private webhookAlarms(): void {
    this.alarm('WebhookRefusals', {
      description: `Twilio webhooks: more than 50 refusals (${OPS_NAMESPACE}/${OPS_METRICS.webhookRejected.name}, any receiver and reason) in 5 minutes: forged traffic, a rotated token, or a wrong webhook base URL.`,
      runbook: 'webhook-refusals',
      metric: new cloudwatch.MathExpression({ expression: insightsQuery(OPS_METRICS.webhookRejected), usingMetrics: {}, period: FIVE_MINUTES, label: 'refusals' }),
      threshold: 50,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  private workflowAlarms(workflow: OnboardingWorkflow): void {
    const sm = workflow.stateMachine;
    this.alarm('OnboardingFailed', {
      description: 'Onboarding: an execution failed, timed out or was aborted (the customer shows the failed step).',
      runbook: 'onboarding-failures',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: sm.metricFailed({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
          timedOut: sm.metricTimedOut({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
          aborted: sm.metricAborted({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }),
        },
        period: FIVE_MINUTES,
        label: 'executions failed / timed out / aborted',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  private tableAlarms(table: DataTable): void {
    const metric = (metricName: string) =>
      new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap: { TableName: table.table.tableName }, period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
    this.alarm('TableThrottles', {
      description: 'DynamoDB: read or write throttle events on the table (a hot partition or an on-demand burst beyond its limits).',
      runbook: 'dynamodb-throttling',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(reads, 0) + FILL(writes, 0)',
        usingMetrics: { reads: metric('ReadThrottleEvents'), writes: metric('WriteThrottleEvents') },
        period: FIVE_MINUTES,
        label: 'throttle events',
      }),
      threshold: 10,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  /**
   * KMS publishes no throttle metric of its own; a throttled Decrypt shows as a function error.
   * This alarm watches the account's symmetric cryptographic request rate (AWS/Usage) against its
   * Service Quota, so operators hear before the throttling starts.
   */
  private kmsAlarm(): void {
    const calls = new cloudwatch.Metric({
      namespace: 'AWS/Usage',
      metricName: 'CallCount',
      dimensionsMap: { Service: 'KMS', Type: 'API', Resource: 'CryptographicOperationsSymmetric', Class: 'None' },
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.SUM,
    });
    this.alarm('KmsRequestRate', {
      description: 'KMS: symmetric cryptographic requests above 80% of the account quota for 3 minutes; beyond it token decrypts are throttled.',
      runbook: 'kms-throttling',
      metric: new cloudwatch.MathExpression({ expression: '100 * (calls / 60) / SERVICE_QUOTA(calls)', usingMetrics: { calls }, period: Duration.minutes(1), label: '% of KMS quota' }),
      threshold: 80,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  private partnerDeliveryAlarms(functions: CatalogFunctions): void {
    const deliverers = functions.all.filter((f) => f.definition.trigger.kind === 'queue' && /^partner-deliveries/.test((f.definition.trigger as { queue: string }).queue));
    if (deliverers.length > 0) {
      const using: Record<string, cloudwatch.IMetric> = {};
      const terms = { ok: [] as string[], bad: [] as string[] };
      deliverers.forEach((f, i) => {
        const m = (name: string) =>
          new cloudwatch.Metric({ namespace: OPS_NAMESPACE, metricName: name, dimensionsMap: { service: f.definition.id }, period: Duration.minutes(15), statistic: cloudwatch.Stats.SUM });
        using[`ok${i}`] = m(OPS_METRICS.deliverySucceeded.name);
        using[`retry${i}`] = m(OPS_METRICS.deliveryRetrying.name);
        using[`fail${i}`] = m(OPS_METRICS.deliveryFailed.name);
        terms.ok.push(`FILL(ok${i}, 0)`);
        terms.bad.push(`FILL(retry${i}, 0)`, `FILL(fail${i}, 0)`);
      });
      const bad = terms.bad.join(' + ');
      const all = [...terms.ok, ...terms.bad].join(' + ');
      this.alarm('PartnerDeliveryFailureRate', {
        description: 'Partner webhooks: more than 20% of delivery attempts failed over 30 minutes (at least 50 attempts).',
        runbook: 'partner-delivery-failures',
        metric: new cloudwatch.MathExpression({ expression: `IF((${all}) >= 50, 100 * (${bad}) / (${all}), 0)`, usingMetrics: using, period: Duration.minutes(15), label: 'failed %' }),
        threshold: 20,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
    }
    this.alarm('PartnerEndpointsDisabled', {
      description: `Partner webhooks: an endpoint was disabled (${OPS_NAMESPACE}/${OPS_METRICS.endpointDisabled.name}).`,
      runbook: 'partner-endpoint-disabled',
      metric: new cloudwatch.MathExpression({ expression: insightsQuery(OPS_METRICS.endpointDisabled), usingMetrics: {}, period: FIVE_MINUTES, label: 'endpoints disabled' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
  }

  private twilioAlarm(): void {
    this.alarm('TwilioThrottling', {
      description: `Twilio: more than 5% of API calls answered 429 / 20429 for 15 minutes (${OPS_NAMESPACE}/${OPS_METRICS.twilioThrottled.name}, average).`,
      runbook: 'twilio-throttling',
      metric: new cloudwatch.MathExpression({ expression: `SELECT AVG(${OPS_METRICS.twilioThrottled.name}) FROM ${OPS_NAMESPACE}`, usingMetrics: {}, period: FIVE_MINUTES, label: '429 share' }),
      threshold: 0.05,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  /** Repairs are lost events: a few a day is Twilio's at-least-once at work, a burst is a receiver, a queue or a sink not delivering. */
  private reconcileAlarm(): void {
    this.alarm('ReconcileRepairsSpiking', {
      description: `Reconciliation: more than 10 records repaired in an hour (${OPS_NAMESPACE}/${OPS_METRICS.reconcileRepaired.name}): Twilio events or status callbacks are being lost.`,
      runbook: 'reconcile-repairs',
      metric: new cloudwatch.MathExpression({ expression: insightsQuery(OPS_METRICS.reconcileRepaired), usingMetrics: {}, period: Duration.hours(1), label: 'repairs' }),
      threshold: 10,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    });
  }

  private buildDashboard(props: OperationsProps, groups: ReadonlyMap<FunctionGroup, readonly ProjectFunction[]>): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `switchboard-${this.stage}` });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const insights = (title: string, query: string, width = 8) =>
      graph(title, [new cloudwatch.MathExpression({ expression: query, usingMetrics: {}, period: FIVE_MINUTES, label: title })], width);
    const header = (text: string) => new cloudwatch.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });

    if (props.api) {
      const stage = props.api.api.deploymentStage;
      dashboard.addWidgets(header('API'));
      dashboard.addWidgets(
        graph('API requests', [stage.metricCount({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })]),
        graph('API 4xx / 5xx', [stage.metricClientError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }), stage.metricServerError({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })]),
        graph('API latency p99', [stage.metricLatency({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.percentile(99) })]),
      );
    }
    if (props.functions.webhooks.length > 0) {
      dashboard.addWidgets(header('Webhooks in'));
      dashboard.addWidgets(
        graph('Webhooks accepted (invocations)', props.functions.webhooks.map((w) => w.function.fn.metricInvocations({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: w.name }))),
        insights('Webhooks refused by reason', insightsQuery(OPS_METRICS.webhookRejected, 'SUM', 'reason')),
        insights('Webhooks refused by receiver', insightsQuery(OPS_METRICS.webhookRejected, 'SUM', 'webhook')),
      );
    }
    const queues = [...props.queues.byName.values()];
    dashboard.addWidgets(header('Queues'));
    dashboard.addWidgets(
      graph('Queue depth', queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM, label: q.name }))),
      graph('Oldest message age (s)', queues.map((q) => q.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM, label: q.name }))),
      graph('Dead letters', queues.map((q) => q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM, label: `${q.name}-dlq` }))),
    );
    const consumers = [...(groups.get('consumers') ?? []), ...(groups.get('streams') ?? [])].slice(0, 20);
    if (consumers.length > 0) {
      dashboard.addWidgets(header('Consumers'));
      dashboard.addWidgets(
        graph('Consumer errors', consumers.map((f) => f.fn.metricErrors({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM, label: f.definition.id })), 12),
        graph('Consumer duration p99', consumers.map((f) => f.fn.metricDuration({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.percentile(99), label: f.definition.id })), 12),
      );
    }
    if (props.workflow) {
      const sm = props.workflow.stateMachine;
      const started = sm.metricStarted({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM });
      const finished = ['metricSucceeded', 'metricFailed', 'metricTimedOut', 'metricAborted'] as const;
      const using: Record<string, cloudwatch.IMetric> = { started };
      finished.forEach((m, i) => (using[`f${i}`] = sm[m]({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })));
      dashboard.addWidgets(header('Onboarding'));
      dashboard.addWidgets(
        graph('Onboarding in flight (started − finished over the window)', [
          new cloudwatch.MathExpression({ expression: 'RUNNING_SUM(FILL(started, 0) - FILL(f0, 0) - FILL(f1, 0) - FILL(f2, 0) - FILL(f3, 0))', usingMetrics: using, period: FIVE_MINUTES, label: 'in flight' }),
        ]),
        graph('Onboarding failed / timed out', [sm.metricFailed({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM }), sm.metricTimedOut({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM })]),
        insights('Onboarding failures by step', insightsQuery(OPS_METRICS.onboardingStepFailed, 'SUM', 'step')),
      );
    }
    dashboard.addWidgets(header('Messaging'));
    dashboard.addWidgets(
      insights('Messages sent', insightsQuery(OPS_METRICS.messageSent, 'SUM', 'channel'), 6),
      insights('Messages delivered', insightsQuery(OPS_METRICS.messageDelivered, 'SUM', 'channel'), 6),
      insights('Messages failed by error code', insightsQuery(OPS_METRICS.messageFailed, 'SUM', 'errorCode'), 6),
      insights('Twilio 429s', insightsQuery(OPS_METRICS.twilioThrottled), 6),
    );
    dashboard.addWidgets(header('Reconciliation'));
    dashboard.addWidgets(
      insights('Sweep repairs by kind', insightsQuery(OPS_METRICS.reconcileRepaired, 'SUM', 'kind')),
      insights('Sweep checks by outcome', insightsQuery(OPS_METRICS.reconcileChecked, 'SUM', 'outcome')),
      insights('Sweep errors by outcome', insightsQuery(OPS_METRICS.reconcileErrors, 'SUM', 'outcome')),
    );
    dashboard.addWidgets(header('Partner deliveries'));
    dashboard.addWidgets(
      insights('Deliveries succeeded', insightsQuery(OPS_METRICS.deliverySucceeded)),
      insights('Deliveries retrying / failed', `SELECT SUM(${OPS_METRICS.deliveryRetrying.name}) FROM ${OPS_NAMESPACE}`),
      insights('Endpoints disabled', insightsQuery(OPS_METRICS.endpointDisabled)),
    );
    dashboard.addWidgets(header('Alarms'));
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'All alarms of the stage', alarms: this.alarms, width: 24, height: 6 }));
    return dashboard;
  }
}

function groupFunctions(all: readonly ProjectFunction[]): Map<FunctionGroup, ProjectFunction[]> {
  const groups = new Map<FunctionGroup, ProjectFunction[]>();
  for (const fn of all) {
    const group = (Object.keys(FUNCTION_GROUPS) as FunctionGroup[]).find((g) => (FUNCTION_GROUPS[g] as readonly string[]).includes(fn.definition.trigger.kind));
    if (!group) throw new Error(`Function "${fn.definition.id}" has a trigger kind no alarm group covers: ${fn.definition.trigger.kind}`);
    groups.set(group, [...(groups.get(group) ?? []), fn]);
  }
  return groups;
}

function sumOf(metrics: cloudwatch.IMetric[], label: string): cloudwatch.IMetric {
  const usingMetrics = Object.fromEntries(metrics.map((m, i) => [`m${i}`, m]));
  return new cloudwatch.MathExpression({ expression: metrics.map((_, i) => `FILL(m${i}, 0)`).join(' + '), usingMetrics, period: FIVE_MINUTES, label });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const pascal = (text: string) => text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
const kebab = (id: string) => id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { pascalCase, type QueueDefinition, type QueueDefinitions } from './catalog-types';

/** One catalog queue: where work goes, where poison messages end up, and who notices. */
export interface WorkQueue {
  readonly name: string;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;
}

export interface WorkQueuesProps {
  /** `QUEUES` from the catalog (tests pass fixtures). */
  readonly queues: QueueDefinitions;
}

/**
 * A queue per catalog entry, each with its dead-letter queue after `maxReceiveCount` receives and an
 * alarm as soon as the DLQ holds a message. Consumers are idempotent, so redelivery is safe and a
 * redrive from the DLQ processes each message once. SSE-SQS encrypts at rest without a key policy
 * for every producer and consumer to keep in step; `enforceSSL` refuses plaintext transport.
 */
export class WorkQueues extends Construct {
  readonly byName: ReadonlyMap<string, WorkQueue>;

  constructor(scope: Construct, id: string, props: WorkQueuesProps) {
    super(scope, id);
    const byName = new Map<string, WorkQueue>();
    for (const [name, definition] of Object.entries(props.queues)) byName.set(name, this.createQueue(name, definition));
    this.byName = byName;
  }

  /** The named queue, or a clear error naming the catalog entry that refers to an undeclared one. */
  get(name: string, usedBy: string): WorkQueue {
    const queue = this.byName.get(name);
    if (!queue) throw new Error(`Function "${usedBy}" refers to queue "${name}", which is not declared in QUEUES`);
    return queue;
  }

  private createQueue(name: string, definition: QueueDefinition): WorkQueue {
    const id = pascalCase(name);
    const deadLetterQueue = new sqs.Queue(this, `${id}DeadLetterQueue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longest SQS retention: operators get two weeks to inspect and redrive.
      retentionPeriod: Duration.days(14),
    });
    const queue = new sqs.Queue(this, `${id}Queue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
    const deadLetterAlarm = new cloudwatch.Alarm(this, `${id}DeadLetterAlarm`, {
      alarmDescription: `Switchboard queue "${name}": messages failed ${definition.maxReceiveCount} times and were dead-lettered. Inspect, fix, then redrive. Runbook: docs/runbooks/dead-letter-queue.md`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    return { name, queue, deadLetterQueue, deadLetterAlarm };
  }
}

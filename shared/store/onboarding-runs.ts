import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OnboardingStep } from '../services/registration/contract';
import type { TransactWriteItem } from '../services/partner-events-contract';
import type { OnboardingRun, OnboardingSummarySource, RunStatus, StepRecord } from '../workflow/timeline';
import { batchGetAll } from './query';

/**
 * The onboarding run (timeline) of a customer, in its partner's partition so that reading it is
 * tenant-scoped by the key itself, like the customer.
 *
 * | Entity         | pk                  | sk                         |
 * |----------------|---------------------|----------------------------|
 * | Onboarding run | PARTNER#<partnerId> | ONBOARDING#<customerId>    |
 *
 * One item per customer, rewritten by each attempt (the step records carry over, so a resumed
 * attempt keeps the SIDs and timestamps of the steps that had succeeded). Every write names the
 * attempt in its condition: a task of an older execution can never overwrite a newer attempt.
 */
export const onboardingRunKey = (partnerId: string, customerId: string) => ({ pk: `PARTNER#${partnerId}`, sk: `ONBOARDING#${customerId}` });

export interface OnboardingRunRepository {
  get(partnerId: string, customerId: string): Promise<OnboardingRun | undefined>;
  /** Writes attempt `run.attempt` if the stored one is `previousAttempt` (none for 0) and not running; false otherwise. */
  begin(run: OnboardingRun, previousAttempt: number): Promise<boolean>;
  setExecutionArn(partnerId: string, customerId: string, attempt: number, executionArn: string): Promise<void>;
  recordStep(partnerId: string, customerId: string, attempt: number, step: OnboardingStep, record: StepRecord, run?: { status: RunStatus; at: string; failedStep?: OnboardingStep }): Promise<void>;
  /** {@link recordStep} as a transaction item (written with the step's state), conditioned on the attempt. */
  stepItem(partnerId: string, customerId: string, attempt: number, step: OnboardingStep, record: StepRecord, run?: { status: RunStatus; at: string; failedStep?: OnboardingStep }): TransactWriteItem;
  /**
   * The last write of a run, as a transaction item (written with its `onboarding.completed` or
   * `.failed` event): the step's record and the run's end, only while attempt `attempt` is still
   * running, so a retried task or a superseded attempt writes nothing and tells nothing twice.
   */
  finishItem(partnerId: string, customerId: string, attempt: number, step: OnboardingStep, record: StepRecord, run: { status: Exclude<RunStatus, 'running'>; at: string; failedStep?: OnboardingStep }): TransactWriteItem;
}

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoOnboardingRunRepository(db: DynamoDBDocumentClient, tableName: string): OnboardingRunRepository {
  const stepItem: OnboardingRunRepository['stepItem'] = (partnerId, customerId, attempt, step, record, run) => {
    const names: Record<string, string> = { '#steps': 'steps', '#step': step };
    const values: Record<string, unknown> = { ':record': record, ':attempt': attempt, ':at': record.updatedAt };
    let update = 'SET #steps.#step = :record, updatedAt = :at';
    if (run) {
      names['#status'] = 'status';
      values[':status'] = run.status;
      update += ', #status = :status';
      if (run.status !== 'running') {
        values[':finished'] = run.at;
        update += ', finishedAt = :finished';
      }
      if (run.failedStep) {
        values[':failedStep'] = run.failedStep;
        update += ', failedStep = :failedStep';
      }
    }
    return {
      Update: {
        TableName: tableName,
        Key: onboardingRunKey(partnerId, customerId),
        UpdateExpression: update,
        ConditionExpression: 'attempt = :attempt',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  };

  return {
    async get(partnerId, customerId) {
      const out = await db.send(new GetCommand({ TableName: tableName, Key: onboardingRunKey(partnerId, customerId), ConsistentRead: true }));
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, ...run } = out.Item;
      return run as OnboardingRun;
    },

    async begin(run, previousAttempt) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...onboardingRunKey(run.partnerId, run.customerId), ...run },
            ConditionExpression: previousAttempt === 0 ? 'attribute_not_exists(pk)' : 'attempt = :previous AND #status <> :running',
            ...(previousAttempt === 0
              ? {}
              : { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':previous': previousAttempt, ':running': 'running' } }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async setExecutionArn(partnerId, customerId, attempt, executionArn) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: onboardingRunKey(partnerId, customerId),
          UpdateExpression: 'SET executionArn = :arn',
          ConditionExpression: 'attempt = :attempt',
          ExpressionAttributeValues: { ':arn': executionArn, ':attempt': attempt },
        }),
      );
    },

    finishItem(partnerId, customerId, attempt, step, record, run) {
      return {
        Update: {
          TableName: tableName,
          Key: onboardingRunKey(partnerId, customerId),
          UpdateExpression: `SET #steps.#step = :record, updatedAt = :at, #status = :status, finishedAt = :at${run.failedStep ? ', failedStep = :failedStep' : ''}`,
          ConditionExpression: 'attempt = :attempt AND #status = :running',
          ExpressionAttributeNames: { '#steps': 'steps', '#step': step, '#status': 'status' },
          ExpressionAttributeValues: { ':record': record, ':attempt': attempt, ':at': run.at, ':status': run.status, ':running': 'running', ...(run.failedStep ? { ':failedStep': run.failedStep } : {}) },
        },
      };
    },

    stepItem,

    async recordStep(partnerId, customerId, attempt, step, record, run) {
      try {
        await db.send(new UpdateCommand(stepItem(partnerId, customerId, attempt, step, record, run).Update!));
      } catch (error) {
        // A task of a superseded attempt: the newer attempt owns the timeline.
        if (!isConditionFailure(error)) throw error;
      }
    },
  };
}

/** The onboarding of some of a partner's customers, for lists: customer id → what its summary reads (absent: never onboarded). */
export type OnboardingSummaryReader = (partnerId: string, customerIds: readonly string[]) => Promise<Map<string, OnboardingSummarySource>>;

/** One BatchGetItem per 100 customers, by the partner's own keys (another partner's id is simply absent), projected to the summary. */
export function dynamoOnboardingSummaries(db: DynamoDBDocumentClient, tableName: string): OnboardingSummaryReader {
  return async (partnerId, customerIds) => {
    const items = await batchGetAll(
      db,
      tableName,
      [...new Set(customerIds)].map((id) => onboardingRunKey(partnerId, id)),
      { ProjectionExpression: 'customerId, #status, attempt, failedStep, updatedAt, steps', ExpressionAttributeNames: { '#status': 'status' } },
    );
    return new Map(items.map((item) => [String(item.customerId), item as unknown as OnboardingSummarySource]));
  };
}

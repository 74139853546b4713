import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OnboardingStep } from '../services/registration/contract';
import type { RunStatus, StepRecord } from '../workflow/timeline';
import { customerKey } from './keys';
import { onboardingRunKey } from './onboarding-runs';
import { queryUpTo } from './query';

/** What the status page needs of a run: no options, no SIDs' meaning, just where it stands. */
export interface RunSummary {
  customerId: string;
  status: RunStatus;
  failedStep?: OnboardingStep;
  updatedAt: string;
  finishedAt?: string;
  steps: Partial<Record<OnboardingStep, Pick<StepRecord, 'status' | 'startedAt' | 'waitingSince' | 'updatedAt'>>>;
}

export interface CustomerLabel {
  displayName: string;
  status: string;
}

export interface PartnerStatusStore {
  /** The partner's onboarding runs (one Query of its partition, `ONBOARDING#` rows), at most `max`; `complete` is false when more exist. */
  runs(partnerId: string, max: number): Promise<{ runs: RunSummary[]; complete: boolean }>;
  /** Display name and status of some of the partner's customers (BatchGetItem by the partner's keys: another partner's id is absent). */
  labels(partnerId: string, customerIds: readonly string[]): Promise<Map<string, CustomerLabel>>;
}

const BATCH_GET_SIZE = 100;
const BATCH_GET_ROUNDS = 5;

export function dynamoPartnerStatusStore(db: DynamoDBDocumentClient, tableName: string): PartnerStatusStore {
  return {
    async runs(partnerId, max) {
      const { pk, sk } = onboardingRunKey(partnerId, '');
      const { items } = await queryUpTo(
        db,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': sk },
          ProjectionExpression: 'customerId, #status, failedStep, updatedAt, finishedAt, steps',
          ExpressionAttributeNames: { '#status': 'status' },
        },
        max + 1,
      );
      return { runs: items.slice(0, max) as unknown as RunSummary[], complete: items.length <= max };
    },

    async labels(partnerId, customerIds) {
      const found = new Map<string, CustomerLabel>();
      const ids = [...new Set(customerIds)];
      for (let i = 0; i < ids.length; i += BATCH_GET_SIZE) {
        let keys: Record<string, unknown>[] | undefined = ids.slice(i, i + BATCH_GET_SIZE).map((id) => customerKey(partnerId, id));
        // Unprocessed keys are asked for again a few times; a label still missing shows as the id.
        for (let round = 0; keys && keys.length > 0 && round < BATCH_GET_ROUNDS; round++) {
          const out = await db.send(
            new BatchGetCommand({
              RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'id, displayName, #status', ExpressionAttributeNames: { '#status': 'status' } } },
            }),
          );
          for (const item of out.Responses?.[tableName] ?? []) found.set(String(item.id), { displayName: String(item.displayName), status: String(item.status) });
          keys = out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
        }
      }
      return found;
    },
  };
}

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OnboardingStep } from '../services/registration/contract';
import type { RunStatus, StepRecord } from '../workflow/timeline';
import { customerKey } from './keys';
import { onboardingRunKey } from './onboarding-runs';
import { batchGetAll, queryUpTo } from './query';

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
      const keys = [...new Set(customerIds)].map((id) => customerKey(partnerId, id));
      const items = await batchGetAll(db, tableName, keys, { ProjectionExpression: 'id, displayName, #status', ExpressionAttributeNames: { '#status': 'status' } });
      return new Map(items.map((item) => [String(item.id), { displayName: String(item.displayName), status: String(item.status) }]));
    },
  };
}

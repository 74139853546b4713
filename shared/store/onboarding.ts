import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { emptyRecord, type OnboardingOptions, type OnboardingRecord, type StepState } from '../domain/onboarding';
import type { SubaccountRecord } from '../domain/subaccount';
import { NUMBER_STATUS_RANK, type NumberRecord, type NumberStatus } from '../domain/registration';
import type { OnboardingStep } from '../services/registration/contract';
import type { TransactWriteItem } from '../services/partner-events-contract';
import { customerFromItem, type CustomerRecord } from './customers';
import { NUMBER_PREFIX, accountKey, customerKey, customerNumberKey, onboardingKey, onboardingReconcileIndex, phoneNumberKey } from './keys';
import { subaccountFromItem } from './subaccounts';
import { batchGetAll, queryAll } from './query';
import { transactWrite } from './transact';

/**
 * The onboarding record of a customer and the customer's phone numbers (see table.ts for the key
 * design). Every write that could race is conditional: step states only move forward, SIDs are
 * set field by field (never a read-modify-write of the whole record), and a phone number is owned
 * by at most one customer.
 */
export interface OnboardingRepository {
  get(partnerId: string, customerId: string): Promise<OnboardingRecord | undefined>;
  /**
   * The customer and its onboarding record in one consistent read (what every step starts from),
   * with the subaccount row of `accountSid` when the caller knows it (its credentials).
   */
  getWithCustomer(partnerId: string, customerId: string, accountSid?: string): Promise<{ customer?: CustomerRecord; record?: OnboardingRecord; account?: SubaccountRecord }>;
  /** Creates the record with these options, or replaces the options of the existing one. */
  saveOptions(partnerId: string, customerId: string, options: OnboardingOptions, at: string): Promise<OnboardingRecord>;
  /** Starts attempt n+1 (a resumed onboarding); step states and SIDs are kept, so work is not redone. */
  nextAttempt(partnerId: string, customerId: string, at: string): Promise<number>;
  setSids(partnerId: string, customerId: string, sids: Record<string, string | undefined>, at: string): Promise<void>;
  removeSid(partnerId: string, customerId: string, key: string, at: string): Promise<void>;
  /** Writes a step state unless a newer one is stored; returns false when it was stale. */
  putStep(partnerId: string, customerId: string, step: OnboardingStep, state: StepState, sids?: Record<string, string>): Promise<boolean>;
  /** {@link putStep} as a transaction item, for a caller that writes it with its partner events; `sids` are set on the record too. */
  stepItem(partnerId: string, customerId: string, step: OnboardingStep, state: StepState, sids?: Record<string, string>): TransactWriteItem;

  /**
   * Claims a phone number for the customer before buying it. `taken` = another customer owns it;
   * `mine` = this customer already has it (a re-run).
   */
  claimNumber(record: NumberRecord): Promise<'claimed' | 'mine' | 'taken'>;
  /** Moves a number forward (rank check); returns false when the stored status is already further. */
  updateNumber(partnerId: string, customerId: string, phoneNumber: string, status: NumberStatus, patch: Partial<Pick<NumberRecord, 'sid' | 'messagingServiceSid' | 'failureReason'>>, at: string): Promise<boolean>;
  /**
   * Marking the number released and freeing it platform-wide, as transaction items for a caller
   * that writes them with its partner event. A number already released cancels them (nothing told twice).
   */
  releaseNumberItems(partnerId: string, customerId: string, phoneNumber: string, at: string): TransactWriteItem[];
  /** Drops a claim whose purchase never happened (Twilio refused it). */
  abandonClaim(partnerId: string, customerId: string, phoneNumber: string): Promise<void>;
  listNumbers(partnerId: string, customerId: string): Promise<NumberRecord[]>;
  /** Who owns a number platform-wide (inbound routing, uniqueness checks). */
  numberOwner(phoneNumber: string): Promise<{ partnerId: string; customerId: string } | undefined>;
}

const RECORD_FIELDS = ['partnerId', 'customerId', 'attempt', 'options', 'steps', 'sids', 'createdAt', 'updatedAt'] as const;
const NUMBER_FIELDS = ['partnerId', 'customerId', 'phoneNumber', 'sid', 'status', 'messagingServiceSid', 'failureReason', 'createdAt', 'updatedAt'] as const;

function pick<T>(item: Record<string, unknown>, fields: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (item[f] !== undefined) out[f] = item[f];
  return out as T;
}

const conditionFailed = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

export function dynamoOnboardingRepository(db: DynamoDBDocumentClient, tableName: string): OnboardingRepository {
  const get = async (partnerId: string, customerId: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: onboardingKey(partnerId, customerId), ConsistentRead: true }));
    return Item ? pick<OnboardingRecord>(Item, RECORD_FIELDS) : undefined;
  };

  const numberOwner = async (phoneNumber: string) => {
    const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: phoneNumberKey(phoneNumber), ConsistentRead: true }));
    return Item ? { partnerId: Item.partnerId as string, customerId: Item.customerId as string } : undefined;
  };

  const stepItem = (partnerId: string, customerId: string, step: OnboardingStep, state: StepState, sids: Record<string, string> = {}): TransactWriteItem => {
    const entries = Object.entries(sids);
    const sidNames = Object.fromEntries(entries.map(([k], i) => [`#sid${i}`, k]));
    const sidValues = Object.fromEntries(entries.map(([, v], i) => [`:sid${i}`, v]));
    const sidSets = entries.map((_, i) => `, sids.#sid${i} = :sid${i}`).join('');
    // A waiting step puts the record in the reconciliation sweep's index, as of now; the sweep
    // takes it out once it finds nothing waiting (a later step may be waiting by then).
    const reconcile = state.status === 'waiting' ? onboardingReconcileIndex(partnerId, customerId, state.updatedAt) : undefined;
    return {
      Update: {
        TableName: tableName,
        Key: onboardingKey(partnerId, customerId),
        UpdateExpression: `SET steps.#step = :state, updatedAt = :at${sidSets}${reconcile ? ', gsi1pk = :rpk, gsi1sk = :rsk' : ''}`,
        // Forward only: a later run of the step, or a higher rank within the same run.
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(steps.#step) OR steps.#step.#run < :run OR (steps.#step.#run = :run AND steps.#step.#rank <= :rank))',
        ExpressionAttributeNames: { '#step': step, '#run': 'run', '#rank': 'rank', ...sidNames },
        ExpressionAttributeValues: {
          ':state': state, ':at': state.updatedAt, ':run': state.run, ':rank': state.rank, ...sidValues,
          ...(reconcile ? { ':rpk': reconcile.gsi1pk, ':rsk': reconcile.gsi1sk } : {}),
        },
      },
    };
  };

  return {
    get,
    numberOwner,

    async getWithCustomer(partnerId, customerId, accountSid) {
      const wanted = { customer: customerKey(partnerId, customerId), record: onboardingKey(partnerId, customerId), account: accountSid ? accountKey(accountSid) : undefined };
      const keys = [wanted.customer, wanted.record, ...(wanted.account ? [wanted.account] : [])];
      const items = await batchGetAll(db, tableName, keys, { ConsistentRead: true });
      const find = (key: { pk: string; sk: string }) => items.find((item) => item.pk === key.pk && item.sk === key.sk);
      const customer = find(wanted.customer);
      const record = find(wanted.record);
      const account = wanted.account && find(wanted.account);
      return {
        customer: customer && customerFromItem(customer),
        record: record && pick<OnboardingRecord>(record, RECORD_FIELDS),
        ...(account ? { account: subaccountFromItem(account) } : {}),
      };
    },

    async saveOptions(partnerId, customerId, options, at) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...onboardingKey(partnerId, customerId), entity: 'Onboarding', ...emptyRecord(partnerId, customerId, options, at) },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!conditionFailed(error)) throw error;
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: onboardingKey(partnerId, customerId),
            UpdateExpression: 'SET #options = :options, updatedAt = :at',
            ExpressionAttributeNames: { '#options': 'options' },
            ExpressionAttributeValues: { ':options': options, ':at': at },
          }),
        );
      }
      return (await get(partnerId, customerId))!;
    },

    async nextAttempt(partnerId, customerId, at) {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: onboardingKey(partnerId, customerId),
          UpdateExpression: 'SET attempt = attempt + :one, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':at': at },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Attributes!.attempt as number;
    },

    async setSids(partnerId, customerId, sids, at) {
      const entries = Object.entries(sids).filter(([, v]) => v !== undefined);
      if (entries.length === 0) return;
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':at': at };
      const sets = entries.map(([k, v], i) => {
        names[`#k${i}`] = k;
        values[`:v${i}`] = v;
        return `sids.#k${i} = :v${i}`;
      });
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: onboardingKey(partnerId, customerId),
          UpdateExpression: `SET ${sets.join(', ')}, updatedAt = :at`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    async removeSid(partnerId, customerId, key, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: onboardingKey(partnerId, customerId),
          UpdateExpression: 'REMOVE sids.#k SET updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#k': key },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
    },

    stepItem,

    async putStep(partnerId, customerId, step, state, sids) {
      try {
        await db.send(new UpdateCommand(stepItem(partnerId, customerId, step, state, sids).Update!));
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    async claimNumber(record) {
      try {
        await transactWrite(db, tableName, [
          {
            Put: {
              Item: { ...phoneNumberKey(record.phoneNumber), entity: 'PhoneNumberOwner', partnerId: record.partnerId, customerId: record.customerId, phoneNumber: record.phoneNumber, claimedAt: record.createdAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              Item: { ...customerNumberKey(record.partnerId, record.customerId, record.phoneNumber), entity: 'CustomerNumber', ...record, statusRank: NUMBER_STATUS_RANK[record.status] },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ]);
        return 'claimed';
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const owner = await numberOwner(record.phoneNumber);
        return owner && owner.partnerId === record.partnerId && owner.customerId === record.customerId ? 'mine' : 'taken';
      }
    },

    async updateNumber(partnerId, customerId, phoneNumber, status, patch, at) {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = { ':status': status, ':rank': NUMBER_STATUS_RANK[status], ':at': at };
      const sets = ['#status = :status', 'statusRank = :rank', 'updatedAt = :at'];
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        names[`#${k}`] = k;
        values[`:${k}`] = v;
        sets.push(`#${k} = :${k}`);
      }
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: customerNumberKey(partnerId, customerId, phoneNumber),
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk) AND statusRank <= :rank',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (conditionFailed(error)) return false;
        throw error;
      }
    },

    releaseNumberItems(partnerId, customerId, phoneNumber, at) {
      return [
        {
          Update: {
            TableName: tableName,
            Key: customerNumberKey(partnerId, customerId, phoneNumber),
            UpdateExpression: 'SET #status = :released, statusRank = :rank, updatedAt = :at REMOVE messagingServiceSid',
            ConditionExpression: 'attribute_exists(pk) AND #status <> :released',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':released': 'released', ':rank': NUMBER_STATUS_RANK.released, ':at': at },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: phoneNumberKey(phoneNumber),
            ConditionExpression: 'attribute_not_exists(pk) OR (partnerId = :p AND customerId = :c)',
            ExpressionAttributeValues: { ':p': partnerId, ':c': customerId },
          },
        },
      ];
    },

    async abandonClaim(partnerId, customerId, phoneNumber) {
      await transactWrite(db, tableName, [
        {
          Delete: {
            Key: customerNumberKey(partnerId, customerId, phoneNumber),
            ConditionExpression: 'attribute_not_exists(pk) OR #status = :claimed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':claimed': 'claimed' },
          },
        },
        {
          Delete: {
            Key: phoneNumberKey(phoneNumber),
            ConditionExpression: 'attribute_not_exists(pk) OR (partnerId = :p AND customerId = :c)',
            ExpressionAttributeValues: { ':p': partnerId, ':c': customerId },
          },
        },
      ]);
    },

    async listNumbers(partnerId, customerId) {
      const { pk } = customerNumberKey(partnerId, customerId, '');
      const items = await queryAll(db, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': NUMBER_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => pick<NumberRecord>(i, NUMBER_FIELDS));
    },

  };
}

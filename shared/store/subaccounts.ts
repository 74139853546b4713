import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { CustomerStatus } from '../domain/customer';
import type { SubaccountRecord, SubaccountStatus, TokenRotation, TokenRotationStage } from '../domain/subaccount';
import { ConflictError } from '../domain/errors';
import type { TransactWriteItem } from '../services/partner-events-contract';
import { accountKey, customerKey } from './keys';
import { transactWrite } from './transact';

export interface SubaccountRepository {
  /**
   * Marks the customer as being provisioned by `claimId` unless it already has a subaccount or
   * another fresh claim holds it. Returns false when the claim was not taken.
   */
  claim(partnerId: string, customerId: string, claimId: string, now: string, staleBefore: string): Promise<boolean>;
  /** Gives up a claim after a failed attempt, so a retry need not wait for it to go stale. */
  release(partnerId: string, customerId: string, claimId: string): Promise<void>;
  /** Stores the subaccount and points the customer at it, if the claim is still ours. */
  commit(record: SubaccountRecord, claimId: string): Promise<void>;
  get(accountSid: string): Promise<SubaccountRecord | undefined>;
  /** Moves the subaccount and its customer's status together. */
  setStatus(record: SubaccountRecord, status: SubaccountStatus, customerStatus: CustomerStatus, at: string): Promise<void>;
  /** The items of {@link setStatus}, for a caller that writes them in its own transaction (with the partner event). */
  statusItems(record: SubaccountRecord, status: SubaccountStatus, customerStatus: CustomerStatus, at: string): TransactWriteItem[];
  /** The first write of a close: the customer is closed (every change refused) before its numbers are released. */
  markCustomerClosed(record: SubaccountRecord, at: string): Promise<void>;
}

/**
 * The subaccount row's auth-token rotation, one conditional write per stage, each naming the run
 * and the stage it read (see TokenRotation); a write whose condition fails throws ConflictError and
 * changes nothing. Apart from {@link SubaccountRepository} only so its fakes need not grow.
 */
export interface TokenRotationWrites {
  /** Claims a rotation if the token is still the one read, none is under way, and the previous token's window has closed. */
  startTokenRotation(accountSid: string, currentEncryptedAuthToken: string, rotation: TokenRotation, now: string): Promise<void>;
  /** Takes over a rotation whose holder's lease lapsed, keeping its stage and tokens. */
  takeOverTokenRotation(accountSid: string, from: Pick<TokenRotation, 'id' | 'stage'>, id: string, leaseUntil: string, now: string): Promise<void>;
  /** started → created: the secondary Twilio made, encrypted. */
  storeNextToken(accountSid: string, id: string, nextEncryptedAuthToken: string, leaseUntil: string): Promise<void>;
  /** created → switched: the next token becomes the one in use, the current one becomes previous (with no deadline yet). */
  switchToken(accountSid: string, id: string, currentEncryptedAuthToken: string, nextEncryptedAuthToken: string, leaseUntil: string, at: string): Promise<void>;
  /** switched → done: the previous token is accepted until `validUntil`, and the rotation ends. */
  finishTokenRotation(accountSid: string, id: string, validUntil: string, at: string): Promise<void>;
  /** Ends a rotation that cannot finish; from `switched`, the previous token is put back in use. */
  abandonTokenRotation(accountSid: string, id: string, stage: TokenRotationStage, at: string): Promise<void>;
}

/** A rotation write whose condition failed: another run moved the rotation meanwhile. */
const rotationMoved = (accountSid: string) =>
  new ConflictError(`The token rotation of ${accountSid} was changed by another run meanwhile; run it again to see where it stands`);

const FIELDS = [
  'customerId', 'accountSid', 'friendlyName', 'status', 'createdAt', 'updatedAt', 'partnerId', 'encryptedAuthToken',
  'previousEncryptedAuthToken', 'previousTokenValidUntil', 'tokenRotation',
] as const;

/** A stored subaccount item as the record (exported for reads that fetch it with other rows). */
export function subaccountFromItem(item: Record<string, unknown>): SubaccountRecord {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as SubaccountRecord;
}

/**
 * The subaccount row by AccountSid, on its own so that the webhook receivers, which need only this
 * read, do not bundle the rest of the repository.
 */
export async function getSubaccount(db: DynamoDBDocumentClient, tableName: string, accountSid: string): Promise<SubaccountRecord | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: accountKey(accountSid) }));
  return Item ? subaccountFromItem(Item) : undefined;
}

export function dynamoSubaccountRepository(db: DynamoDBDocumentClient, tableName: string): SubaccountRepository & TokenRotationWrites {
  const repository: SubaccountRepository & TokenRotationWrites = {
    async claim(partnerId, customerId, claimId, now, staleBefore) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: customerKey(partnerId, customerId),
            UpdateExpression: 'SET provisioningClaim = :claim, provisioningAt = :now',
            ConditionExpression:
              'attribute_exists(pk) AND attribute_not_exists(accountSid) AND (attribute_not_exists(provisioningClaim) OR provisioningAt < :stale)',
            ExpressionAttributeValues: { ':claim': claimId, ':now': now, ':stale': staleBefore },
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async release(partnerId, customerId, claimId) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: customerKey(partnerId, customerId),
            UpdateExpression: 'REMOVE provisioningClaim, provisioningAt',
            ConditionExpression: 'provisioningClaim = :claim',
            ExpressionAttributeValues: { ':claim': claimId },
          }),
        );
      } catch (error) {
        // Someone else's claim by now (ours went stale): nothing of ours to release.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },

    async commit(record, claimId) {
      await transactWrite(
        db,
        tableName,
        [
          {
            Update: {
              Key: customerKey(record.partnerId, record.customerId),
              UpdateExpression: 'SET accountSid = :sid, updatedAt = :at, version = version + :one REMOVE provisioningClaim, provisioningAt',
              ConditionExpression: 'provisioningClaim = :claim AND attribute_not_exists(accountSid)',
              ExpressionAttributeValues: { ':sid': record.accountSid, ':at': record.updatedAt, ':one': 1, ':claim': claimId },
            },
          },
          { Put: { Item: { ...accountKey(record.accountSid), entity: 'Subaccount', ...record }, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
        () => new ConflictError('The subaccount was provisioned concurrently; fetch it and retry if needed'),
      );
    },

    get: (accountSid) => getSubaccount(db, tableName, accountSid),

    async setStatus(record, status, customerStatus, at) {
      await db.send(new TransactWriteCommand({ TransactItems: repository.statusItems(record, status, customerStatus, at) }));
    },

    statusItems(record, status, customerStatus, at) {
      return [
        {
          Update: {
            TableName: tableName,
            Key: accountKey(record.accountSid),
            UpdateExpression: 'SET #status = :status, updatedAt = :at',
            // Only from the status the caller read: a concurrent change (a close, which is terminal, or
            // the same change, whose event is already written) refuses this one, so no event is written twice.
            ConditionExpression: '#status = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status, ':at': at, ':from': record.status },
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: customerKey(record.partnerId, record.customerId),
            UpdateExpression: 'SET #status = :status, updatedAt = :at, version = version + :one',
            // A closing customer (marked closed before its numbers are released) is never reopened by a suspend or reactivate.
            ConditionExpression: customerStatus === 'closed' ? 'accountSid = :sid' : 'accountSid = :sid AND #status <> :closed',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': customerStatus, ':at': at, ':one': 1, ':sid': record.accountSid, ...(customerStatus === 'closed' ? {} : { ':closed': 'closed' }) },
          },
        },
      ];
    },

    async markCustomerClosed(record, at) {
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: customerKey(record.partnerId, record.customerId),
          UpdateExpression: 'SET #status = :closed, updatedAt = :at, version = version + :one',
          ConditionExpression: 'accountSid = :sid',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':closed': 'closed', ':at': at, ':one': 1, ':sid': record.accountSid },
        }),
      );
    },

    startTokenRotation: (accountSid, current, rotation, now) =>
      rotationUpdate(accountSid, {
        UpdateExpression: 'SET tokenRotation = :rotation',
        ConditionExpression:
          'encryptedAuthToken = :current AND #status = :active AND attribute_not_exists(tokenRotation) AND (attribute_not_exists(previousTokenValidUntil) OR previousTokenValidUntil <= :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':rotation': rotation, ':current': current, ':active': 'active', ':now': now },
      }),

    takeOverTokenRotation: (accountSid, from, id, leaseUntil, now) =>
      rotationUpdate(accountSid, {
        UpdateExpression: 'SET tokenRotation.id = :id, tokenRotation.leaseUntil = :lease',
        ConditionExpression: 'tokenRotation.id = :from AND tokenRotation.stage = :stage AND tokenRotation.leaseUntil <= :now',
        ExpressionAttributeValues: { ':id': id, ':lease': leaseUntil, ':from': from.id, ':stage': from.stage, ':now': now },
      }),

    storeNextToken: (accountSid, id, next, leaseUntil) =>
      rotationUpdate(accountSid, {
        UpdateExpression: 'SET tokenRotation.stage = :created, tokenRotation.nextEncryptedAuthToken = :next, tokenRotation.leaseUntil = :lease',
        ConditionExpression: 'tokenRotation.id = :id AND tokenRotation.stage = :started',
        ExpressionAttributeValues: { ':created': 'created', ':next': next, ':lease': leaseUntil, ':id': id, ':started': 'started' },
      }),

    switchToken: (accountSid, id, current, next, leaseUntil, at) =>
      rotationUpdate(accountSid, {
        UpdateExpression:
          'SET encryptedAuthToken = :next, previousEncryptedAuthToken = :current, tokenRotation.stage = :switched, tokenRotation.leaseUntil = :lease, updatedAt = :at REMOVE previousTokenValidUntil, tokenRotation.nextEncryptedAuthToken',
        ConditionExpression: 'tokenRotation.id = :id AND tokenRotation.stage = :created AND encryptedAuthToken = :current AND tokenRotation.nextEncryptedAuthToken = :next',
        ExpressionAttributeValues: { ':next': next, ':current': current, ':switched': 'switched', ':lease': leaseUntil, ':at': at, ':id': id, ':created': 'created' },
      }),

    finishTokenRotation: (accountSid, id, validUntil, at) =>
      rotationUpdate(accountSid, {
        UpdateExpression: 'SET previousTokenValidUntil = :until, updatedAt = :at REMOVE tokenRotation',
        ConditionExpression: 'tokenRotation.id = :id AND tokenRotation.stage = :switched',
        ExpressionAttributeValues: { ':until': validUntil, ':at': at, ':id': id, ':switched': 'switched' },
      }),

    abandonTokenRotation: (accountSid, id, stage, at) =>
      rotationUpdate(accountSid, {
        UpdateExpression:
          stage === 'switched'
            ? 'SET encryptedAuthToken = previousEncryptedAuthToken, updatedAt = :at REMOVE previousEncryptedAuthToken, tokenRotation'
            : 'SET updatedAt = :at REMOVE tokenRotation',
        ConditionExpression: 'tokenRotation.id = :id AND tokenRotation.stage = :stage',
        ExpressionAttributeValues: { ':at': at, ':id': id, ':stage': stage },
      }),
  };

  type RotationWrite = Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;
  async function rotationUpdate(accountSid: string, write: RotationWrite): Promise<void> {
    try {
      await db.send(new UpdateCommand({ TableName: tableName, Key: accountKey(accountSid), ...write }));
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw rotationMoved(accountSid);
      throw error;
    }
  }
  return repository;
}

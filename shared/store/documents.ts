import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DocumentRecord, TwilioHandOff } from '../domain/document';
import { DOCUMENT_PREFIX, documentKey } from './keys';
import { queryUpTo } from './query';

/** A customer's supporting documents' metadata (see keys.ts); the bytes are behind the DocumentStore port. */
export interface DocumentRepository {
  /** Writes a new document's row; fails if the id exists (never overwrites). */
  create(record: DocumentRecord): Promise<void>;
  get(partnerId: string, customerId: string, documentId: string): Promise<DocumentRecord | undefined>;
  /** Newest first, up to `wanted` items after `afterId`. */
  list(partnerId: string, customerId: string, afterId: string | undefined, wanted: number): Promise<DocumentRecord[]>;
  /** Records the Twilio hand-off on a document that still exists. */
  setTwilio(record: DocumentRecord, twilio: TwilioHandOff): Promise<DocumentRecord>;
  /** Removes the row; true when it existed. */
  delete(partnerId: string, customerId: string, documentId: string): Promise<boolean>;
}

const FIELDS = [
  'partnerId', 'customerId', 'id', 'type', 'purpose', 'fileName', 'contentType', 'size', 'sha256', 'storageKey', 'registration', 'twilio', 'createdAt',
] as const;

function recordOf(item: Record<string, unknown>): DocumentRecord {
  const out: Record<string, unknown> = {};
  for (const f of FIELDS) if (item[f] !== undefined) out[f] = item[f];
  return out as unknown as DocumentRecord;
}

export function dynamoDocumentRepository(db: DynamoDBDocumentClient, tableName: string): DocumentRepository {
  return {
    async create(record) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...documentKey(record.partnerId, record.customerId, record.id), entity: 'Document', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(partnerId, customerId, documentId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: documentKey(partnerId, customerId, documentId), ConsistentRead: true }));
      return Item ? recordOf(Item) : undefined;
    },

    async list(partnerId, customerId, afterId, wanted) {
      const { pk } = documentKey(partnerId, customerId, '');
      const { items } = await queryUpTo(
        db,
        { TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': DOCUMENT_PREFIX }, ScanIndexForward: false },
        wanted,
        { start: afterId ? documentKey(partnerId, customerId, afterId) : undefined },
      );
      return items.map(recordOf);
    },

    async setTwilio(record, twilio) {
      const { Attributes } = await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: documentKey(record.partnerId, record.customerId, record.id),
          UpdateExpression: 'SET twilio = :twilio',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':twilio': twilio },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return recordOf(Attributes ?? {});
    },

    async delete(partnerId, customerId, documentId) {
      const { Attributes } = await db.send(new DeleteCommand({ TableName: tableName, Key: documentKey(partnerId, customerId, documentId), ReturnValues: 'ALL_OLD' }));
      return Attributes !== undefined;
    },
  };
}

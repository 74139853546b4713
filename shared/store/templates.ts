import type { TemplateForSend } from '../messaging/whatsapp-rules';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UNDECIDED_TEMPLATE_STATUSES, type TemplateCategory, type TemplateContent, type TemplateStatus } from '../domain/template';
import type { TransactWriteItem } from '../services/partner-events-contract';
import { TEMPLATE_PREFIX, templateContentIndex, templateKey, templateNameKey, templateReviewIndex, templateReviewPartition } from './keys';
import { queryUpTo } from './query';

/** A template row as stored: the partner's content, Twilio's SIDs and the review state. */
export interface TemplateRecord {
  partnerId: string;
  customerId: string;
  templateId: string;
  name: string;
  language: string;
  requestedCategory: TemplateCategory;
  /** The category it is billed as: Meta's once it decided, the requested one until then. */
  category: TemplateCategory;
  allowCategoryChange: boolean;
  status: TemplateStatus;
  rejectionReason?: string;
  contentSid?: string;
  variables: Record<string, string>;
  content: TemplateContent;
  /** Hash of the request that created it: a retry of the same request resumes it, another one is a conflict. */
  requestHash: string;
  previousVersionId?: string;
  nextVersionId?: string;
  submittedAt?: string;
  statusUpdatedAt?: string;
  checkedAt?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** What the send path needs of a template (defined with the sending rules), read with one GetItem or one Query. */
export type { TemplateForSend } from '../messaging/whatsapp-rules';

export interface TemplateFilter {
  status?: TemplateStatus;
  category?: TemplateCategory;
  language?: string;
}

export interface TemplateNameClaim {
  templateId: string;
  requestHash: string;
}

const ENTITY = 'WhatsAppTemplate';

/** The row without keys and index attributes. */
function recordOf(item: Record<string, unknown>): TemplateRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g1s, gsi2pk: _g2, gsi2sk: _g2s, entity: _e, ...record } = item;
  return record as unknown as TemplateRecord;
}

/** Undecided templates with a Content resource are in the review index (what the refresh asks Twilio about). */
export const awaitsReview = (r: Pick<TemplateRecord, 'status' | 'contentSid'>) => !!r.contentSid && UNDECIDED_TEMPLATE_STATUSES.includes(r.status);

function itemOf(r: TemplateRecord): Record<string, unknown> {
  return {
    ...templateKey(r.partnerId, r.customerId, r.templateId),
    entity: ENTITY,
    ...r,
    ...(r.contentSid ? templateContentIndex(r.partnerId, r.customerId, r.contentSid) : {}),
    ...(awaitsReview(r) ? templateReviewIndex(r.partnerId, r.customerId, r.templateId, r.checkedAt ?? '0000') : {}),
  };
}

const expectVersion = (version: number) => ({
  ConditionExpression: '#version = :expected',
  ExpressionAttributeNames: { '#version': 'version' },
  ExpressionAttributeValues: { ':expected': version },
});

/**
 * A customer's WhatsApp templates (see keys.ts): the template rows and their name claims in one
 * partition, gsi2 for "by ContentSid", and the sparse gsi1 of undecided reviews. Writes are returned
 * as transaction items so the service commits them with their partner events (`appendWith`).
 */
export function templateStore(db: DynamoDBDocumentClient, tableName: string) {
  return {
    async get(partnerId: string, customerId: string, templateId: string, consistent = false): Promise<TemplateRecord | undefined> {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: templateKey(partnerId, customerId, templateId), ConsistentRead: consistent }));
      return Item ? recordOf(Item) : undefined;
    },

    async claimOf(partnerId: string, customerId: string, language: string, name: string): Promise<TemplateNameClaim | undefined> {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: templateNameKey(partnerId, customerId, language, name), ConsistentRead: true }));
      return Item ? { templateId: String(Item.templateId), requestHash: String(Item.requestHash) } : undefined;
    },

    /** One Query on gsi2 (eventually consistent: a template is sent well after its Content exists). */
    async byContentSid(partnerId: string, customerId: string, contentSid: string): Promise<TemplateRecord | undefined> {
      const index = templateContentIndex(partnerId, customerId, contentSid);
      const { Items } = await db.send(
        new QueryCommand({ TableName: tableName, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk = :sk', ExpressionAttributeValues: { ':pk': index.gsi2pk, ':sk': index.gsi2sk }, Limit: 1 }),
      );
      return Items?.[0] ? recordOf(Items[0]) : undefined;
    },

    /** Newest first (ids are ULIDs), filtered; `limit + 1` read so the caller knows whether a page follows. */
    async list(partnerId: string, customerId: string, filter: TemplateFilter, afterId: string | undefined, wanted: number): Promise<TemplateRecord[]> {
      const key = templateKey(partnerId, customerId, '');
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = { ':pk': key.pk, ':prefix': TEMPLATE_PREFIX };
      const conditions: string[] = [];
      for (const [field, value] of Object.entries(filter)) {
        if (value === undefined) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        conditions.push(`#${field} = :${field}`);
      }
      const { items } = await queryUpTo(
        db,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: values,
          ...(conditions.length ? { FilterExpression: conditions.join(' AND '), ExpressionAttributeNames: names } : {}),
          ScanIndexForward: false,
        },
        wanted,
        { start: afterId ? templateKey(partnerId, customerId, afterId) : undefined, maxPages: 20 },
      );
      return items.map(recordOf);
    },

    /** The least recently checked undecided templates of one review shard. */
    async awaitingReview(shard: number, limit: number): Promise<TemplateRecord[]> {
      const { Items } = await db.send(
        new QueryCommand({ TableName: tableName, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': templateReviewPartition(shard) }, Limit: limit }),
      );
      return (Items ?? []).map(recordOf);
    },

    /** A new template and its name claim; the claim's condition fails when the name is taken (or the create is a retry). */
    createItems(record: TemplateRecord): TransactWriteItem[] {
      return [
        { Put: { TableName: tableName, Item: itemOf(record), ConditionExpression: 'attribute_not_exists(pk)' } },
        {
          Put: {
            TableName: tableName,
            Item: { ...templateNameKey(record.partnerId, record.customerId, record.language, record.name), entity: 'WhatsAppTemplateName', templateId: record.templateId, requestHash: record.requestHash },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ];
    },

    /** The next state of a template, if nobody changed it since `expected` was read. */
    replaceItem(next: TemplateRecord, expected: number): TransactWriteItem {
      return { Put: { TableName: tableName, Item: itemOf(next), ...expectVersion(expected) } };
    },

    /** The template and its name claim, if unchanged since read. */
    deleteItems(record: TemplateRecord): TransactWriteItem[] {
      return [
        { Delete: { TableName: tableName, Key: templateKey(record.partnerId, record.customerId, record.templateId), ...expectVersion(record.version) } },
        { Delete: { TableName: tableName, Key: templateNameKey(record.partnerId, record.customerId, record.language, record.name) } },
      ];
    },

    /**
     * The send path's read: one GetItem by id, or one Query by ContentSid. (A send by id reads the
     * row in its send-context batch instead; see send-context.ts.)
     */
    async findForSend(partnerId: string, customerId: string, ref: { templateId?: string; contentSid?: string }): Promise<TemplateForSend | undefined> {
      const record = ref.templateId !== undefined ? await this.get(partnerId, customerId, ref.templateId) : ref.contentSid !== undefined ? await this.byContentSid(partnerId, customerId, ref.contentSid) : undefined;
      if (ref.contentSid !== undefined && record?.contentSid !== ref.contentSid) return undefined;
      return record && templateForSend(record);
    },
  };
}

/** What a send needs of a stored template row; none while it has no Content resource. */
export function templateForSend(item: Record<string, unknown> | TemplateRecord): TemplateForSend | undefined {
  const record = recordOf(item as Record<string, unknown>);
  if (!record.contentSid) return undefined;
  return {
    id: record.templateId,
    contentSid: record.contentSid,
    name: record.name,
    language: record.language,
    category: record.category,
    status: record.status,
    variables: templateVariableKeys(record),
  };
}

/** The variable keys a template's content uses, in number order (what a send must fill). */
export function templateVariableKeys(record: Pick<TemplateRecord, 'variables' | 'content'>): string[] {
  const keys = new Set<string>(Object.keys(record.variables));
  for (const match of JSON.stringify(record.content).matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) keys.add(match[1]!);
  if (record.content.type === 'authentication') keys.add('1');
  return [...keys].sort((a, b) => (Number(a) - Number(b)) || (a < b ? -1 : a > b ? 1 : 0));
}

export type TemplateStore = ReturnType<typeof templateStore>;

import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OPT_OUT_HISTORY_PREFIX, optOutHistoryKey, optOutStateKey } from './keys';

export type OptOutAction = 'opt-out' | 'opt-in' | 'help';

/** One keyword received from a contact: the evidence Twilio does not keep for us. */
export interface OptOutEvent {
  partnerId: string;
  customerId: string;
  contact: string;
  action: OptOutAction;
  keyword: string;
  at: string;
  messageSid: string;
  /** The number or sender the keyword was sent to (the scope it applies to). */
  to?: string;
}

export interface OptOutState {
  contact: string;
  optedOut: boolean;
  keyword: string;
  changedAt: string;
  messageSid: string;
}

export interface OptOutRepository {
  /** Records the keyword in the history (once per MessageSid) and, for opt-out/opt-in, moves the state if it is newer. */
  record(event: OptOutEvent): Promise<void>;
  get(partnerId: string, customerId: string, contact: string): Promise<OptOutState | undefined>;
  /** Oldest first. */
  history(partnerId: string, customerId: string, contact: string): Promise<OptOutEvent[]>;
}

const isConditionFailure = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';

export function dynamoOptOutRepository(db: DynamoDBDocumentClient, tableName: string): OptOutRepository {
  return {
    async record(e) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...optOutHistoryKey(e.partnerId, e.customerId, e.contact, e.at, e.messageSid), entity: 'OptOutHistory', ...e },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      if (e.action === 'help') return;
      try {
        // Separate from the history put: a STOP arriving after a later START must still be in the
        // history, while the state keeps the newest keyword only.
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: optOutStateKey(e.partnerId, e.customerId, e.contact),
            UpdateExpression: 'SET entity = :entity, contact = :contact, optedOut = :out, keyword = :keyword, changedAt = :at, messageSid = :sid',
            ConditionExpression: 'attribute_not_exists(changedAt) OR changedAt < :at OR (changedAt = :at AND messageSid <= :sid)',
            ExpressionAttributeValues: {
              ':entity': 'OptOut', ':contact': e.contact, ':out': e.action === 'opt-out', ':keyword': e.keyword, ':at': e.at, ':sid': e.messageSid,
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async get(partnerId, customerId, contact) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: optOutStateKey(partnerId, customerId, contact) }));
      return Item ? { contact: Item.contact, optedOut: Item.optedOut, keyword: Item.keyword, changedAt: Item.changedAt, messageSid: Item.messageSid } : undefined;
    },

    async history(partnerId, customerId, contact) {
      const { Items = [] } = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': optOutStateKey(partnerId, customerId, contact).pk, ':prefix': OPT_OUT_HISTORY_PREFIX },
        }),
      );
      return Items.map(({ partnerId: p, customerId: c, contact: ct, action, keyword, at, messageSid, to }) => ({
        partnerId: p, customerId: c, contact: ct, action, keyword, at, messageSid, ...(to ? { to } : {}),
      }));
    },
  };
}

import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RegistrationEvent } from '../messaging/twilio-events';
import { twilioEventIndex, twilioEventKey, twilioEventsIndexPartition } from './keys';

export interface StoredTwilioEvent extends RegistrationEvent {
  partnerId: string;
  customerId: string;
  accountSid: string;
  receivedAt: string;
}

export interface TwilioEventRepository {
  /** Appends the event unless one with its id is already recorded for the customer; false then. */
  append(event: StoredTwilioEvent): Promise<boolean>;
  /** The customer's events in the order they happened. */
  list(partnerId: string, customerId: string): Promise<StoredTwilioEvent[]>;
}

export function dynamoTwilioEventRepository(db: DynamoDBDocumentClient, tableName: string): TwilioEventRepository {
  return {
    async append(e) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...twilioEventKey(e.partnerId, e.customerId, e.eventId),
              ...twilioEventIndex(e.partnerId, e.customerId, e.occurredAt, e.eventId),
              entity: 'TwilioEvent',
              ...e,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error)?.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },

    async list(partnerId, customerId) {
      const { Items = [] } = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': twilioEventsIndexPartition(partnerId, customerId) },
        }),
      );
      return Items.map(({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, entity: _e, ...rest }) => rest as StoredTwilioEvent);
    },
  };
}

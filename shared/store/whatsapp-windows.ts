import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { whatsAppWindowKey } from './keys';

/**
 * When each contact last wrote to a customer on WhatsApp, which opens the 24-hour window for
 * free-form replies. Only ever moved forward, so a late or redelivered inbound message never
 * shortens the window.
 */
export function dynamoWhatsAppWindows(db: DynamoDBDocumentClient, tableName: string) {
  return {
    async opened(partnerId: string, customerId: string, contact: string, at: string): Promise<void> {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: whatsAppWindowKey(partnerId, customerId, contact),
            UpdateExpression: 'SET lastInboundAt = :at, entity = :entity',
            ConditionExpression: 'attribute_not_exists(lastInboundAt) OR lastInboundAt < :at',
            ExpressionAttributeValues: { ':at': at, ':entity': 'WhatsAppWindow' },
          }),
        );
      } catch (error) {
        // Already later: nothing to move.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
}

export type WhatsAppWindows = ReturnType<typeof dynamoWhatsAppWindows>;

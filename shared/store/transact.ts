import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** One write of a transaction on the table, without the table name every write repeats. */
export type TableWrite =
  | { Put: Omit<NonNullable<TransactItem['Put']>, 'TableName'> }
  | { Update: Omit<NonNullable<TransactItem['Update']>, 'TableName'> }
  | { Delete: Omit<NonNullable<TransactItem['Delete']>, 'TableName'> }
  | { ConditionCheck: Omit<NonNullable<TransactItem['ConditionCheck']>, 'TableName'> };

/**
 * The writes failed together because write `index`'s condition did not hold (reasons are listed
 * in the order of the writes; the others say `None`).
 */
export function cancelledBecauseOf(error: unknown, index: number): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed';
}

/**
 * One TransactWriteItems on the table: all the writes or none. `onCancelled` turns a cancelled
 * transaction (a condition that did not hold) into the caller's domain error; returning
 * undefined, or any other failure, rethrows the original error.
 */
export async function transactWrite(
  db: DynamoDBDocumentClient,
  tableName: string,
  writes: TableWrite[],
  onCancelled?: (error: TransactionCanceledException) => Error | undefined,
): Promise<void> {
  const TransactItems = writes.map((write): TransactItem => {
    if ('Put' in write) return { Put: { ...write.Put, TableName: tableName } };
    if ('Update' in write) return { Update: { ...write.Update, TableName: tableName } };
    if ('Delete' in write) return { Delete: { ...write.Delete, TableName: tableName } };
    return { ConditionCheck: { ...write.ConditionCheck, TableName: tableName } };
  });
  try {
    await db.send(new TransactWriteCommand({ TransactItems }));
  } catch (error) {
    const mapped = error instanceof TransactionCanceledException ? onCancelled?.(error) : undefined;
    throw mapped ?? error;
  }
}

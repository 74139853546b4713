import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalExecution } from './workflow';

/**
 * The local workflow runner's executions, kept in the table so that a restart of the local
 * platform resumes the ones still running (Step Functions keeps its executions itself; the local
 * runner holds them in memory only).
 *
 * | Entity          | pk                        | sk                 | attributes                                                   |
 * |-----------------|---------------------------|--------------------|--------------------------------------------------------------|
 * | Local execution | LOCAL_WORKFLOW#<machine>  | EXECUTION#<name>   | name, input, status, currentState?, waitingState?, error?, updatedAt |
 *
 * Written when an execution starts, parks on a wait and ends (not on every transition); an
 * execution the runner's stop interrupted stays RUNNING.
 */
export const localExecutionKey = (machine: string, name: string) => ({ pk: `LOCAL_WORKFLOW#${machine}`, sk: `EXECUTION#${name}` });

export interface StoredExecution {
  name: string;
  input: unknown;
  status: LocalExecution['status'];
  currentState?: string;
  waitingState?: string;
  error?: { error: string; cause: string };
  updatedAt: string;
}

export interface LocalExecutionStore {
  /** Keeps the execution's current view; writes of one execution are applied in order. */
  save(execution: Pick<LocalExecution, 'name' | 'input' | 'status' | 'currentState' | 'waiting' | 'error'>): void;
  /** The executions stored as RUNNING. */
  running(): Promise<StoredExecution[]>;
  /** Resolves once every save so far is written (a failed write is reported to `onError`). */
  flush(): Promise<void>;
}

export function dynamoLocalExecutionStore(db: DynamoDBDocumentClient, tableName: string, machine: string, { now = () => new Date(), onError }: { now?: () => Date; onError?: (error: Error) => void } = {}): LocalExecutionStore {
  const chains = new Map<string, Promise<void>>();
  return {
    save(execution) {
      const item: StoredExecution = {
        name: execution.name,
        input: execution.input,
        status: execution.status,
        ...(execution.currentState ? { currentState: execution.currentState } : {}),
        ...(execution.waiting ? { waitingState: execution.waiting.state } : {}),
        ...(execution.error ? { error: execution.error } : {}),
        updatedAt: now().toISOString(),
      };
      const previous = chains.get(execution.name) ?? Promise.resolve();
      const next = previous.then(() => db.send(new PutCommand({ TableName: tableName, Item: { ...localExecutionKey(machine, execution.name), ...item } }))).then(
        () => undefined,
        (error: Error) => onError?.(error),
      );
      chains.set(execution.name, next);
      void next.then(() => {
        if (chains.get(execution.name) === next) chains.delete(execution.name);
      });
    },

    async running() {
      const found: StoredExecution[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            FilterExpression: '#status = :running',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pk': `LOCAL_WORKFLOW#${machine}`, ':sk': 'EXECUTION#', ':running': 'RUNNING' },
            ExclusiveStartKey,
          }),
        );
        found.push(...((page.Items ?? []) as StoredExecution[]));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return found;
    },

    async flush() {
      await Promise.all([...chains.values()]);
    },
  };
}

/**
 * Starts again every execution stored as RUNNING, with the input `restartInput` gives for its
 * stored one (undefined: nothing to resume, and it is stored as ABORTED). Returns the names resumed.
 */
export async function resumeRunningExecutions(
  store: LocalExecutionStore,
  runner: { startExecution(name: string, input: unknown): Promise<unknown> },
  restartInput: (stored: StoredExecution) => Promise<unknown | undefined>,
): Promise<string[]> {
  const resumed: string[] = [];
  for (const stored of await store.running()) {
    const input = await restartInput(stored);
    if (input === undefined) {
      store.save({ name: stored.name, input: stored.input, status: 'ABORTED', currentState: stored.currentState });
      continue;
    }
    await runner.startExecution(stored.name, input);
    resumed.push(stored.name);
  }
  await store.flush();
  return resumed;
}

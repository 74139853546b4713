import { DynamoDBClient, GetItemCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, type GetCommandOutput, type TranslateConfig } from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from '../config';
import { traced } from '../observability';

/**
 * The DynamoDB clients, built once per cold start. Locally DYNAMODB_ENDPOINT points at DynamoDB
 * Local, which accepts any static credentials.
 */
const clientConfig: DynamoDBClientConfig = {
  region: config.AWS_REGION,
  ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
};
const translateConfig: TranslateConfig = { marshallOptions: { removeUndefinedValues: true } };
// Our own copy: lib-dynamodb writes its defaults into the options object it is given.
const keyMarshallOptions = { removeUndefinedValues: true } as const;

export const dynamoClient = traced(new DynamoDBClient(clientConfig));

/**
 * Resolves its middleware stack once per command class (`cacheMiddleware`) instead of on every
 * call. Only for the low-level commands below: lib-dynamodb refuses the option.
 */
const getItemClient = traced(new DynamoDBClient({ ...clientConfig, cacheMiddleware: true }));

/**
 * The DocumentClient with one hot path. A plain `GetCommand` (most API requests read one item: a
 * customer, a subaccount, the API key behind an authorizer cache miss) goes through
 * {@link getItemClient} with the same marshalling and the same output: the DocumentClient rebuilds
 * the SDK's middleware stack on every send, about a sixth of a GET's CPU (bench/api.bench.ts).
 * Every other command goes through unchanged.
 */
class DocumentClient extends DynamoDBDocumentClient {
  constructor() {
    super(dynamoClient, translateConfig);
  }

  override send(command: unknown, ...rest: unknown[]): any {
    if (command instanceof GetCommand && rest.length === 0) return getItem(command);
    return (super.send as (...args: unknown[]) => unknown)(command, ...rest);
  }
}

async function getItem(command: GetCommand): Promise<GetCommandOutput> {
  const { Key, ...input } = command.input;
  const output = await getItemClient.send(new GetItemCommand({ ...input, Key: marshall(Key, keyMarshallOptions) }));
  return { ...output, Item: output.Item && unmarshall(output.Item) };
}

export const documentClient: DynamoDBDocumentClient = new DocumentClient();

export const tableName = config.TABLE_NAME;

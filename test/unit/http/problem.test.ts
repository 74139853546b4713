import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { createServer } from 'node:net';
import { problemFor } from '../../../shared/http/problem';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const bodyOf = (reply: ReturnType<typeof problemFor>) => JSON.parse(reply.body) as { type: string; status: number; detail: string };

describe('problem for a dependency that is down', () => {
  it('answers 503 with Retry-After when DynamoDB cannot be reached at all', async () => {
    const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${await closedPort()}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
    const error = await client.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'a' } } })).catch((e: unknown) => e);
    const reply = problemFor(error, 'req-1');
    expect(reply.statusCode).toBe(503);
    expect(reply.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '5' });
    expect(bodyOf(reply)).toMatchObject({ type: expect.stringMatching(/service-unavailable$/), status: 503 });
  });

  it("answers 503 for the service's own faults and throttling, and keeps a client fault a 500 (a bug of ours)", () => {
    const metadata = { $metadata: {} };
    expect(problemFor(new InternalServerError({ message: 'boom', ...metadata })).statusCode).toBe(503);
    expect(problemFor(new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata })).statusCode).toBe(503);
    expect(problemFor(new ConditionalCheckFailedException({ message: 'condition', ...metadata })).statusCode).toBe(500);
    expect(problemFor(new Error('a bug')).statusCode).toBe(500);
  });
});

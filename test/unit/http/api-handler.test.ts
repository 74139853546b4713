import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { NotFoundError } from '../../../shared/domain/errors';
import { apiHandler } from '../../../shared/http/api-handler';
import { logger } from '../../../shared/observability';

const context = { functionName: 'customers-get', awsRequestId: 'lambda-req-1', getRemainingTimeInMillis: () => 3000 } as unknown as Context;
const event = (requestId: string) => ({ requestContext: { requestId } }) as unknown as APIGatewayProxyEvent;

/** The JSON lines Powertools writes while `run` runs. */
async function logLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true));
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the API middy stack', () => {
  it("logs under the API Gateway request id and forgets it when the request ends", async () => {
    const handler = apiHandler(async () => {
      logger.info('inside the handler');
      return { statusCode: 200, body: '{}' };
    });
    const lines = await logLines(() => handler(event('api-req-42'), context));
    expect(lines.find((l) => l.message === 'inside the handler')).toMatchObject({ correlation_id: 'api-req-42', function_request_id: 'lambda-req-1' });
    expect(logger.getCorrelationId()).toBeUndefined();
  });

  it('answers a typed error as problem+json with the request id as instance, and logs it under that id', async () => {
    const handler = apiHandler(async () => {
      throw new NotFoundError('No customer cus_x');
    });
    let response: Awaited<ReturnType<typeof handler>> | undefined;
    const lines = await logLines(async () => (response = await handler(event('api-req-43'), context)));
    expect(response).toMatchObject({ statusCode: 404, headers: { 'content-type': 'application/problem+json' } });
    expect(JSON.parse(response!.body)).toMatchObject({ status: 404, instance: 'api-req-43', detail: 'No customer cus_x' });
    expect(lines.find((l) => l.message === 'Request refused')).toMatchObject({ correlation_id: 'api-req-43', status: 404 });
  });
});

import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { NotFoundError } from '../../../shared/domain/errors';
import { apiHandler } from '../../../shared/http/api-handler';
import { logger } from '../../../shared/observability';
import { TwilioPermanentError } from '../../../shared/twilio/errors';

const context = { functionName: 'customers-get', awsRequestId: 'lambda-req-1', getRemainingTimeInMillis: () => 3000 } as unknown as Context;
const event = (requestId: string) => ({ requestContext: { requestId } }) as unknown as APIGatewayProxyEvent;

/** The JSON lines Powertools writes while `run` runs, on either stream. */
async function logLines(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  // Powertools writes warnings and errors to stderr, the rest to stdout.
  const spies = [process.stdout, process.stderr].map((stream) => jest.spyOn(stream, 'write').mockImplementation((chunk: unknown) => (lines.push(String(chunk)), true)));
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
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

  it("answers Twilio refusing the caller's input as 422 with a warning, and Twilio refusing our credentials as 502 with an error", async () => {
    const refusing = (status: number, code: number) =>
      apiHandler(async () => {
        throw new TwilioPermanentError({ code, status, message: 'refused', moreInfo: null });
      });
    let response: Awaited<ReturnType<ReturnType<typeof refusing>>> | undefined;
    const wrongCode = await logLines(async () => (response = await refusing(400, 20001)(event('api-req-44'), context)));
    expect(response!.statusCode).toBe(422);
    expect(wrongCode.filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(wrongCode.find((l) => l.message === 'Twilio refused the request')).toMatchObject({ level: 'WARN', twilio: { code: 20001, status: 400 } });
    const badCredentials = await logLines(async () => (response = await refusing(401, 20003)(event('api-req-45'), context)));
    expect(response!.statusCode).toBe(502);
    expect(badCredentials.find((l) => l.message === 'Unhandled error')).toMatchObject({ level: 'ERROR' });
  });
});

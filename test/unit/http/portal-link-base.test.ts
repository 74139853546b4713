import type { APIGatewayProxyEvent } from 'aws-lambda';
import { portalLinkBaseFrom } from '../../../shared/http/portal-link-base';

const PARAMETER = '/switchboard/prod/portal-base-url';

/** A request as API Gateway hands it on, reached through the given domain. */
const requestTo = (domainName: string, proto = 'https') =>
  ({ headers: { 'X-Forwarded-Proto': proto }, multiValueHeaders: { 'X-Forwarded-Proto': [proto] }, requestContext: { domainName, stage: 'prod' } }) as unknown as APIGatewayProxyEvent;

/** The Powertools provider as a fake: answers what the test set, counts the reads. */
function fakeParameters(answer: () => Promise<unknown>) {
  const reads: Array<{ name: string; maxAge: number | undefined }> = [];
  return { reads, get: async (name: string, options?: { maxAge?: number }) => (reads.push({ name, maxAge: options?.maxAge }), answer()) };
}

describe('portal link base', () => {
  it('is the distribution URL from the parameter, even when the request came to the execute-api domain', async () => {
    const parameters = fakeParameters(async () => 'https://d111.cloudfront.net');
    const base = portalLinkBaseFrom({ parameterName: PARAMETER, parameters: parameters as never });

    await expect(base(requestTo('abc123.execute-api.eu-west-1.amazonaws.com'))).resolves.toBe('https://d111.cloudfront.net');
    expect(parameters.reads).toEqual([{ name: PARAMETER, maxAge: 300 }]);
  });

  it('is the origin the request reached when no parameter is configured (the local platform)', async () => {
    const parameters = fakeParameters(async () => 'https://never.example.com');
    const base = portalLinkBaseFrom({ parameters: parameters as never });

    await expect(base(requestTo('127.0.0.1:3000', 'http'))).resolves.toBe('http://127.0.0.1:3000');
    expect(parameters.reads).toEqual([]);
  });

  it('fails naming the parameter when it cannot be read, instead of handing out a link that opens nowhere', async () => {
    const base = portalLinkBaseFrom({ parameterName: PARAMETER, parameters: fakeParameters(async () => Promise.reject(new Error('ParameterNotFound'))) as never });
    await expect(base(requestTo('abc123.execute-api.eu-west-1.amazonaws.com'))).rejects.toThrow(`The portal base URL could not be read from SSM parameter ${PARAMETER}: ParameterNotFound`);
  });

  it.each(['http://d111.cloudfront.net', 'https://d111.cloudfront.net/portal', 'not a url', 42])('refuses a parameter holding %j', async (value) => {
    const base = portalLinkBaseFrom({ parameterName: PARAMETER, parameters: fakeParameters(async () => value) as never });
    await expect(base(requestTo('abc123.execute-api.eu-west-1.amazonaws.com'))).rejects.toThrow(`SSM parameter ${PARAMETER} must hold the portal base URL (https://<host>)`);
  });
});

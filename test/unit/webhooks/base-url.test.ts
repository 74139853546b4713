import { ExtensionParameterProvider, webhookBaseUrlFrom, type ExtensionFetch } from '../../../shared/webhooks/base-url';

const PARAMETER = '/switchboard/prod/webhook-base-url';
const SESSION_TOKEN = 'session-token-of-the-function';

/** The extension's local endpoint as a fake: records each request, answers what the test set. */
function fakeExtension(answer: { status: number; body: string }) {
  const requests: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch: ExtensionFetch = async (url, init) => {
    requests.push({ url, headers: init.headers });
    return { ok: answer.status >= 200 && answer.status < 300, status: answer.status, text: async () => answer.body };
  };
  return { fetch, requests, answer };
}
const parameterBody = (value: string) => JSON.stringify({ Parameter: { Name: PARAMETER, Type: 'String', Value: value, Version: 1 } });

describe('webhook base URL at run time', () => {
  afterEach(() => jest.useRealTimers());

  it('uses WEBHOOK_BASE_URL as given and never reads the parameter', async () => {
    const extension = fakeExtension({ status: 200, body: parameterBody('https://d111.cloudfront.net') });
    const parameters = new ExtensionParameterProvider({ port: 2773, sessionToken: SESSION_TOKEN, fetch: extension.fetch });
    const baseUrl = webhookBaseUrlFrom({ override: 'http://127.0.0.1:3000/webhooks', parameterName: PARAMETER, parameters });

    await expect(baseUrl()).resolves.toBe('http://127.0.0.1:3000/webhooks');
    expect(extension.requests).toEqual([]);
  });

  it('reads the parameter through the extension once, then from the cache until the max age passes', async () => {
    jest.useFakeTimers({ now: new Date('2026-03-01T12:00:00Z') });
    const extension = fakeExtension({ status: 200, body: parameterBody('https://d111.cloudfront.net') });
    const parameters = new ExtensionParameterProvider({ port: 2773, sessionToken: SESSION_TOKEN, fetch: extension.fetch });
    const baseUrl = webhookBaseUrlFrom({ parameterName: PARAMETER, parameters, maxAgeSeconds: 300 });

    await expect(baseUrl()).resolves.toBe('https://d111.cloudfront.net');
    await expect(baseUrl()).resolves.toBe('https://d111.cloudfront.net');
    expect(extension.requests).toEqual([
      { url: 'http://localhost:2773/systemsmanager/parameters/get?name=%2Fswitchboard%2Fprod%2Fwebhook-base-url', headers: { 'X-Aws-Parameters-Secrets-Token': SESSION_TOKEN } },
    ]);

    // A redeploy with a custom domain changes the value: picked up once the cached one is older than the max age.
    extension.answer.body = parameterBody('https://hooks.example.com');
    jest.setSystemTime(new Date('2026-03-01T12:04:59Z'));
    await expect(baseUrl()).resolves.toBe('https://d111.cloudfront.net');
    jest.setSystemTime(new Date('2026-03-01T12:05:01Z'));
    await expect(baseUrl()).resolves.toBe('https://hooks.example.com');
    expect(extension.requests).toHaveLength(2);
  });

  it('fails with an error naming the parameter when the extension refuses, and caches no failure', async () => {
    const extension = fakeExtension({ status: 400, body: 'ParameterNotFound: /switchboard/prod/webhook-base-url' });
    const parameters = new ExtensionParameterProvider({ port: 2773, sessionToken: SESSION_TOKEN, fetch: extension.fetch });
    const baseUrl = webhookBaseUrlFrom({ parameterName: PARAMETER, parameters });

    await expect(baseUrl()).rejects.toThrow(`The webhook base URL could not be read from SSM parameter ${PARAMETER}: the Parameters and Secrets extension answered 400: ParameterNotFound`);
    extension.answer.status = 200;
    extension.answer.body = parameterBody('https://d111.cloudfront.net');
    await expect(baseUrl()).resolves.toBe('https://d111.cloudfront.net');
  });

  it.each([
    ['an answer without a value', JSON.stringify({ Parameter: {} }), /answered without Parameter.Value/],
    ['a body that is not JSON', '<html>', /answered without Parameter.Value/],
    ['a value that is not a URL', parameterBody('d111.cloudfront.net'), /must hold the webhook base URL \(https:\/\/<host>\), got "d111.cloudfront.net"/],
  ])('fails on %s', async (_case, body, message) => {
    const parameters = new ExtensionParameterProvider({ port: 2773, sessionToken: SESSION_TOKEN, fetch: fakeExtension({ status: 200, body }).fetch });
    await expect(webhookBaseUrlFrom({ parameterName: PARAMETER, parameters })()).rejects.toThrow(message);
  });

  it('fails outside Lambda (no session token) without calling anything', async () => {
    const extension = fakeExtension({ status: 200, body: parameterBody('https://d111.cloudfront.net') });
    const parameters = new ExtensionParameterProvider({ port: 2773, fetch: extension.fetch });
    await expect(webhookBaseUrlFrom({ parameterName: PARAMETER, parameters })()).rejects.toThrow(/AWS_SESSION_TOKEN is not set/);
    expect(extension.requests).toEqual([]);
  });

  it('fails when neither the override nor the parameter name is configured', async () => {
    const parameters = new ExtensionParameterProvider({ port: 2773, sessionToken: SESSION_TOKEN });
    await expect(webhookBaseUrlFrom({ parameters })()).rejects.toThrow('Missing configuration: WEBHOOK_BASE_URL or WEBHOOK_BASE_URL_PARAMETER must be set for this function');
  });
});

import RestException from 'twilio/lib/base/RestException';
import { classifyMessageError, errorFromResponse, toTwilioError, TwilioPermanentError, TwilioRetryableError } from '../../../shared/twilio/errors';
import { networkError } from './fake-http';

const rest = (statusCode: number, body: Record<string, unknown>) => new RestException({ statusCode, body });

describe('toTwilioError', () => {
  it.each<[number, number | null, string]>([
    [429, 20429, 'Too Many Requests'],
    [400, 20429, 'Too many concurrent requests'],
    [500, 20500, 'Internal Server Error'],
    [503, null, 'Service Unavailable'],
  ])('HTTP %i / code %s is retryable', (status, code, message) => {
    const error = toTwilioError(rest(status, code === null ? { message } : { code, message }));
    expect(error).toBeInstanceOf(TwilioRetryableError);
    expect(error).toMatchObject({ status, code, message, retryable: true });
  });

  it.each([
    [400, 21211, "The 'To' number is not a valid phone number."],
    [400, 21610, 'Attempt to send to unsubscribed recipient'],
    [401, 20003, 'Authenticate'],
    [404, 20404, 'The requested resource was not found'],
  ])('HTTP %i / %i is permanent', (status, code, message) => {
    const error = toTwilioError(rest(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}` }));
    expect(error).toBeInstanceOf(TwilioPermanentError);
    expect(error).toMatchObject({ status, code, message, moreInfo: `https://www.twilio.com/docs/errors/${code}`, retryable: false });
  });

  it('flags not-found so callers can treat a second delete as done', () => {
    expect((toTwilioError(rest(404, { code: 20404, message: 'x' })) as TwilioPermanentError).notFound).toBe(true);
    expect((toTwilioError(rest(400, { code: 21211, message: 'x' })) as TwilioPermanentError).notFound).toBe(false);
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EAI_AGAIN'])('transport failure %s is retryable with no status', (code) => {
    const error = toTwilioError(networkError(code));
    expect(error).toBeInstanceOf(TwilioRetryableError);
    expect(error).toMatchObject({ status: null, code: null });
    expect((error as Error).message).toContain(code);
  });

  it('treats an axios timeout (ECONNABORTED / "timeout of") as retryable', () => {
    expect(toTwilioError(networkError('ECONNABORTED', 'timeout of 10000ms exceeded'))).toBeInstanceOf(TwilioRetryableError);
  });

  it('returns programming errors unchanged', () => {
    const bug = new TypeError('cannot read properties of undefined');
    expect(toTwilioError(bug)).toBe(bug);
  });

  it('removes the given secrets from messages', () => {
    const error = toTwilioError(rest(401, { code: 20003, message: 'Authenticate with sk-secret-token please' }), ['sk-secret-token']) as Error;
    expect(error.message).toBe('Authenticate with [REDACTED] please');
  });

  it('serialises to a log-safe summary', () => {
    expect(JSON.parse(JSON.stringify(toTwilioError(rest(400, { code: 21211, message: 'bad To' }))))).toEqual({
      name: 'TwilioPermanentError',
      code: 21211,
      status: 400,
      message: 'bad To',
      moreInfo: null,
    });
  });
});

describe('errorFromResponse (raw JSON calls)', () => {
  it('maps status and body like the SDK path', () => {
    expect(errorFromResponse(429, { code: 20429, message: 'slow down' })).toBeInstanceOf(TwilioRetryableError);
    expect(errorFromResponse(400, { code: 63100, message: 'invalid sender', more_info: 'https://x' })).toMatchObject({ code: 63100, moreInfo: 'https://x', retryable: false });
    expect(errorFromResponse(502, 'Bad Gateway')).toMatchObject({ status: 502, code: null, message: 'Twilio answered HTTP 502', retryable: true });
  });
});

describe('classifyMessageError', () => {
  it.each([
    [20429, true, 'retry-with-backoff'],
    [21610, false, 'suppress-recipient'],
    [21211, false, 'fix-recipient'],
    [21614, false, 'fix-recipient'],
    [21408, false, 'fix-configuration'],
    [21606, false, 'fix-configuration'],
    [21612, false, 'fix-configuration'],
    [30034, false, 'register-campaign'],
    [30032, false, 'verify-toll-free'],
    [30007, false, 'review-content'],
    [30003, false, 'suppress-recipient'],
    [30005, false, 'suppress-recipient'],
    [30006, false, 'suppress-recipient'],
    [30008, true, 'retry-limited'],
    [30001, true, 'retry-limited'],
    [63016, false, 'send-template'],
    [63018, true, 'retry-with-backoff'],
    [63003, false, 'fix-recipient'],
    [63024, false, 'fix-recipient'],
  ])('%i → retryable=%s, %s', (code, retryable, action) => {
    const classified = classifyMessageError(code);
    expect(classified).toMatchObject({ code, retryable, action });
    expect(classified.reason.length).toBeGreaterThan(10);
  });

  it('does not retry unknown codes and still explains them', () => {
    expect(classifyMessageError(12345)).toEqual({ code: 12345, retryable: false, action: 'investigate', reason: 'Twilio error 12345' });
  });
});

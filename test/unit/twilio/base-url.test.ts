import { rewriteTwilioUrl, TwilioRequestClient } from '../../../shared/twilio/request-client';
import { scriptHttp, type FakeHttp } from './fake-http';

const HOSTS = [
  'api.twilio.com',
  'trusthub.twilio.com',
  'messaging.twilio.com',
  'content.twilio.com',
  'events.twilio.com',
  'iam.twilio.com',
  'accounts.twilio.com',
  'api.dublin.ie1.twilio.com',
];

describe('base URL rewrite', () => {
  it.each(HOSTS)('sends %s to ${baseUrl}/<host>/<path>, query kept', (host) => {
    expect(rewriteTwilioUrl(`https://${host}/v1/Things/AB12?PageSize=50&Status=active`, 'http://127.0.0.1:4010')).toBe(
      `http://127.0.0.1:4010/${host}/v1/Things/AB12?PageSize=50&Status=active`,
    );
  });

  it('tolerates a trailing slash on the base URL and keeps a base path', () => {
    expect(rewriteTwilioUrl('https://api.twilio.com/2010-04-01/Accounts.json', 'http://sandbox.local:8080/twilio/')).toBe(
      'http://sandbox.local:8080/twilio/api.twilio.com/2010-04-01/Accounts.json',
    );
  });

  it('leaves URLs alone when no base URL is set (real Twilio)', () => {
    expect(rewriteTwilioUrl('https://api.twilio.com/2010-04-01/Accounts.json')).toBe('https://api.twilio.com/2010-04-01/Accounts.json');
  });

  describe('in the request client', () => {
    let http: FakeHttp;
    afterEach(() => http.restore());

    it.each(HOSTS)('rewrites every request to %s', async (host) => {
      http = scriptHttp({ statusCode: 200 });
      await new TwilioRequestClient({ baseUrl: 'http://127.0.0.1:4010' }).request({ method: 'get', uri: `https://${host}/v1/Services` });
      expect(http.calls.map((c) => c.uri)).toEqual([`http://127.0.0.1:4010/${host}/v1/Services`]);
    });
  });
});

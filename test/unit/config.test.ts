import { loadConfig } from '../../shared/config';

const ACCOUNT_SID = 'AC' + 'a'.repeat(32);

describe('configuration', () => {
  it('applies the defaults when nothing is set, and treats an empty variable as unset', () => {
    const config = loadConfig({ AWS_REGION: '', TOKEN_CACHE_TTL_SECONDS: '' });
    expect(config).toMatchObject({
      AWS_REGION: 'us-east-1',
      TABLE_NAME: 'switchboard',
      API_KEY_PREFIX: 'sb_live_',
      KEY_SERVICE: 'kms',
      QUEUE_URLS: {},
      TOKEN_CACHE_TTL_SECONDS: 300,
      POWERTOOLS_TRACE_ENABLED: true,
      PARTNER_WEBHOOKS_ALLOW_LOOPBACK: false,
    });
    expect(config.DYNAMODB_ENDPOINT).toBeUndefined();
    expect(config.WEBHOOK_BASE_URL).toBeUndefined();
  });

  it('reads every kind of value it accepts', () => {
    const config = loadConfig({
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      API_KEY_PREFIX: 'sb_test_',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_PRIMARY_PROFILE_SID: 'BU' + '0'.repeat(32),
      TWILIO_NOTIFICATION_EMAIL: 'a2p+alerts@isv.example.com',
      KEY_SERVICE: 'local',
      WEBHOOK_BASE_URL: 'https://hooks.example.com/prod/twilio',
      QUEUE_URLS: '{"inbound-messages":"local://inbound-messages"}',
      TOKEN_CACHE_TTL_SECONDS: '0',
      POWERTOOLS_TRACE_ENABLED: 'false',
      PARTNER_WEBHOOKS_ALLOW_LOOPBACK: 'true',
    });
    expect(config).toMatchObject({
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      API_KEY_PREFIX: 'sb_test_',
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_NOTIFICATION_EMAIL: 'a2p+alerts@isv.example.com',
      KEY_SERVICE: 'local',
      QUEUE_URLS: { 'inbound-messages': 'local://inbound-messages' },
      TOKEN_CACHE_TTL_SECONDS: 0,
      POWERTOOLS_TRACE_ENABLED: false,
      PARTNER_WEBHOOKS_ALLOW_LOOPBACK: true,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['DYNAMODB_ENDPOINT', 'localhost:8000', 'an http(s) URL'],
    ['WEBHOOK_BASE_URL', 'ftp://hooks.example.com', 'http(s) URL'],
    ['API_KEY_PREFIX', 'SB-LIVE', 'two lowercase words'],
    ['TWILIO_ACCOUNT_SID', 'AC123', 'account SID'],
    ['TWILIO_PRIMARY_PROFILE_SID', 'BU' + 'Z'.repeat(32), 'customer profile SID'],
    ['TWILIO_NOTIFICATION_EMAIL', 'not-an-address', 'email address'],
    ['KEY_SERVICE', 'vault', 'one of kms, local'],
    ['QUEUE_URLS', '{"a": 1}', 'JSON object'],
    ['QUEUE_URLS', '["local://a"]', 'JSON object'],
    ['QUEUE_URLS', '{not json', 'JSON object'],
    ['TOKEN_CACHE_TTL_SECONDS', '3601', 'integer from 0 to 3600'],
    ['TOKEN_CACHE_TTL_SECONDS', '1.5', 'integer from 0 to 3600'],
    ['TOKEN_CACHE_TTL_SECONDS', '-1', 'integer from 0 to 3600'],
    ['POWERTOOLS_TRACE_ENABLED', 'maybe', 'true or false'],
    ['PARTNER_WEBHOOKS_ALLOW_LOOPBACK', 'yes', 'true or false'],
  ])('refuses %s=%j, naming the variable and the expected shape', (name, value, shape) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`Invalid configuration: ${name} must be `);
    expect(() => loadConfig({ [name]: value })).toThrow(shape);
  });

  it.each([
    ['1', true],
    [' TRUE ', true],
    ['0', false],
    ['false', false],
  ])('reads PARTNER_WEBHOOKS_ALLOW_LOOPBACK=%j as %s (a flag: off unless turned on)', (raw, expected) => {
    expect(loadConfig({ PARTNER_WEBHOOKS_ALLOW_LOOPBACK: raw }).PARTNER_WEBHOOKS_ALLOW_LOOPBACK).toBe(expected);
  });

  it('reports every bad variable at once and never echoes a value', () => {
    const secret = 'not-a-sid-but-maybe-a-secret';
    let message = '';
    try {
      loadConfig({ TWILIO_ACCOUNT_SID: secret, KEY_SERVICE: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/TWILIO_ACCOUNT_SID must be .*; KEY_SERVICE must be/);
    expect(message).not.toContain(secret);
  });
});

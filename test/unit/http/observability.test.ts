import { redact } from '../../../shared/observability';

describe('log redaction', () => {
  it('masks secret-looking attributes at any depth and keeps the rest', () => {
    const out = redact({
      accountSid: 'AC123',
      authToken: 'tok',
      nested: { auth_token: 'x', Authorization: 'Bearer sb_live_x', list: [{ secret: 's', ok: 1 }], ciphertext: 'c' },
    });
    expect(out).toEqual({
      accountSid: 'AC123',
      authToken: '[REDACTED]',
      nested: { auth_token: '[REDACTED]', Authorization: '[REDACTED]', list: [{ secret: '[REDACTED]', ok: 1 }], ciphertext: '[REDACTED]' },
    });
  });
});

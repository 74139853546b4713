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

describe('tracing', () => {
  function observabilityWith(traceEnabled: string | undefined) {
    const previous = process.env.POWERTOOLS_TRACE_ENABLED;
    if (traceEnabled === undefined) delete process.env.POWERTOOLS_TRACE_ENABLED;
    else process.env.POWERTOOLS_TRACE_ENABLED = traceEnabled;
    try {
      let loaded!: typeof import('../../../shared/observability');
      jest.isolateModules(() => {
        loaded = require('../../../shared/observability');
      });
      return loaded;
    } finally {
      if (previous === undefined) delete process.env.POWERTOOLS_TRACE_ENABLED;
      else process.env.POWERTOOLS_TRACE_ENABLED = previous;
    }
  }

  it('has a tracer by default, as in Lambda, and instruments SDK clients with it', () => {
    const { tracer, traced } = observabilityWith(undefined);
    expect(tracer).toBeDefined();
    const client = { middlewareStack: { add: jest.fn(), addRelativeTo: jest.fn(), use: jest.fn() }, config: {} };
    const spy = jest.spyOn(tracer!, 'captureAWSv3Client').mockImplementation((c) => c);
    traced(client);
    expect(spy).toHaveBeenCalledWith(client);
  });

  it('loads no tracer where tracing is off, and leaves clients as they are', () => {
    const { tracer, traced } = observabilityWith('false');
    expect(tracer).toBeUndefined();
    const client = {};
    expect(traced(client)).toBe(client);
  });
});

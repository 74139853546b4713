import { portFromEnv } from '../../../infra/local/ports';

describe('portFromEnv', () => {
  it('falls back when the variable is unset or blank', () => {
    expect(portFromEnv('PORT', 3000, {})).toBe(3000);
    expect(portFromEnv('PORT', 3000, { PORT: '  ' })).toBe(3000);
  });

  it('reads a port, 0 included (a free port)', () => {
    expect(portFromEnv('SANDBOX_PORT', 4010, { SANDBOX_PORT: '4999' })).toBe(4999);
    expect(portFromEnv('PORT', 3000, { PORT: '0' })).toBe(0);
  });

  it.each(['abc', '-1', '3000.5', '65536', '1e3'])('refuses %s, naming the variable', (raw) => {
    expect(() => portFromEnv('SANDBOX_PORT', 4010, { SANDBOX_PORT: raw })).toThrow(`SANDBOX_PORT must be a port number from 0 to 65535 (0 picks a free port); got "${raw}"`);
  });
});

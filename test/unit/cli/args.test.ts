import { parseInvocation, touchesUsagePlan } from '../../../infra/cli/args';
import { UsageError } from '../../../infra/cli/errors';
import { OTHER_KEY_ID, PARTNER_ID } from './fakes';

function usageErrorOf(argv: string[]): UsageError {
  try {
    parseInvocation(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for: ${argv.join(' ')}`);
}

describe('parseInvocation', () => {
  it.each([
    [['partners', 'create', '--name', 'Acme Corp'], { name: 'partners create', partnerName: 'Acme Corp', withKey: false }],
    [['partners', 'create', '--name=Acme', '--with-key'], { name: 'partners create', partnerName: 'Acme', withKey: true }],
    [['partners', 'get', '--id', PARTNER_ID], { name: 'partners get', partnerId: PARTNER_ID }],
    [['partners', 'suspend', '--id', PARTNER_ID], { name: 'partners suspend', partnerId: PARTNER_ID }],
    [['partners', 'reactivate', '--id', PARTNER_ID], { name: 'partners reactivate', partnerId: PARTNER_ID }],
    [['partners', 'list'], { name: 'partners list' }],
    [['partners', 'list', '--limit', '10'], { name: 'partners list', limit: 10 }],
    [['partners', 'list', '--cursor', 'abc_-1'], { name: 'partners list', cursor: 'abc_-1' }],
    [['partners', 'list', '--limit=100', '--cursor=abc'], { name: 'partners list', limit: 100, cursor: 'abc' }],
    [['keys', 'issue', '--partner', PARTNER_ID], { name: 'keys issue', partnerId: PARTNER_ID }],
    [['keys', 'list', '--partner', PARTNER_ID], { name: 'keys list', partnerId: PARTNER_ID }],
    [['keys', 'revoke', '--partner', PARTNER_ID, '--key', OTHER_KEY_ID], { name: 'keys revoke', partnerId: PARTNER_ID, keyId: OTHER_KEY_ID }],
  ])('parses %j', (argv, command) => {
    // Act
    const invocation = parseInvocation(argv);

    // Assess
    expect(invocation).toEqual({ kind: 'run', command, target: {} });
  });

  it('collects the target flags wherever they appear', () => {
    const invocation = parseInvocation(['--stack', 'Switchboard-prod-Platform', 'keys', 'list', '--region', 'eu-west-1', '--partner', PARTNER_ID]);

    expect(invocation).toMatchObject({ kind: 'run', target: { stack: 'Switchboard-prod-Platform', region: 'eu-west-1' } });
  });

  it('answers --help with the command reference', () => {
    const invocation = parseInvocation(['--help']);

    expect(invocation.kind).toBe('help');
    expect(invocation.kind === 'help' && invocation.text).toContain('keys revoke --partner <ptn_…> --key <key_…>');
    expect(invocation.kind === 'help' && invocation.text).toContain('partners list [--limit <n>] [--cursor <cursor>]');
  });

  it.each([
    [['partners', 'get'], 'Missing required option --id for "partners get"'],
    [['partners', 'create'], 'Missing required option --name for "partners create"'],
    [['partners', 'create', '--name', '  '], 'Missing required option --name for "partners create"'],
    [['keys', 'issue'], 'Missing required option --partner for "keys issue"'],
    [['keys', 'revoke', '--partner', PARTNER_ID], 'Missing required option --key for "keys revoke"'],
  ])('refuses %j: %s', (argv, message) => {
    const error = usageErrorOf(argv);

    expect(error.message).toBe(message);
    expect(error.usage).toMatch(/^switchboard (partners|keys) /);
  });

  it('says which option lacks a value, not that it is "ambiguous"', () => {
    expect(usageErrorOf(['partners', 'get', '--id', '--table', 'x']).message).toBe('Option --id needs a value');
    expect(usageErrorOf(['partners', 'get', '--id']).message).toBe('Option --id needs a value');
  });

  it.each([
    [[], 'No command given'],
    [['partners'], 'Unknown command "partners"'],
    [['partners', 'delete', '--id', PARTNER_ID], 'Unknown command "partners delete"'],
    [['keys', 'list', 'extra', '--partner', PARTNER_ID], 'Unexpected argument "extra"'],
    [['keys', 'list', '--partner', PARTNER_ID, '--id', PARTNER_ID], 'Option --id does not apply to "keys list"'],
    [['keys', 'issue', '--partner', PARTNER_ID, '--with-key'], 'Option --with-key does not apply to "keys issue"'],
    [['keys', 'list', '--partner', OTHER_KEY_ID], `--partner must be an id like ptn_01H… (got "${OTHER_KEY_ID}")`],
    [['partners', 'list', '--limit', '0'], '--limit must be a whole number from 1 to 100 (got "0")'],
    [['partners', 'list', '--limit', '101'], '--limit must be a whole number from 1 to 100 (got "101")'],
    [['partners', 'list', '--limit', '2.5'], '--limit must be a whole number from 1 to 100 (got "2.5")'],
    [['partners', 'list', '--limit', 'ten'], '--limit must be a whole number from 1 to 100 (got "ten")'],
    [['partners', 'list', '--cursor', ' '], 'Option --cursor needs a value'],
    [['partners', 'list', '--id', PARTNER_ID], 'Option --id does not apply to "partners list"'],
    [['partners', 'get', '--id', PARTNER_ID, '--limit', '5'], 'Option --limit does not apply to "partners get"'],
    [['keys', 'revoke', '--partner', PARTNER_ID, '--key', PARTNER_ID], `--key must be an id like key_01H… (got "${PARTNER_ID}")`],
    [['keys', 'list', '--partner', PARTNER_ID, '--stack', 'S', '--endpoint', 'http://127.0.0.1:8000'], '--stack and --endpoint name different targets; give one'],
    [['keys', 'list', '--partner', PARTNER_ID, '--endpoint', 'localhost:8000'], '--endpoint must be an http(s) URL (got "localhost:8000")'],
    [['keys', 'list', '--partner', PARTNER_ID, '--usage-plan', 'abc', '--endpoint', 'http://127.0.0.1:8000'], '--usage-plan applies to deployed stacks, not to --endpoint'],
  ])('refuses %j: %s', (argv, message) => {
    expect(usageErrorOf(argv).message).toBe(message);
  });

  it('refuses unknown options', () => {
    expect(usageErrorOf(['keys', 'list', '--partner', PARTNER_ID, '--profile', 'x']).message).toMatch(/Unknown option '--profile'/);
  });

  it('marks the commands that change the API Gateway key', () => {
    const touching = ['partners create --name A', `partners suspend --id ${PARTNER_ID}`, `partners reactivate --id ${PARTNER_ID}`];
    const notTouching = [`partners get --id ${PARTNER_ID}`, 'partners list', `keys issue --partner ${PARTNER_ID}`, `keys list --partner ${PARTNER_ID}`];
    const touches = (line: string) => {
      const invocation = parseInvocation(line.split(' '));
      if (invocation.kind !== 'run') throw new Error('expected a command');
      return touchesUsagePlan(invocation.command);
    };

    expect(touching.map(touches)).toEqual([true, true, true]);
    expect(notTouching.map(touches)).toEqual([false, false, false, false]);
  });
});

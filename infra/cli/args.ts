import { parseArgs } from 'node:util';
import { UsageError } from './errors';
import { AUTHORIZER_CACHE_SECONDS } from '../catalog';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from '../../shared/domain/page';

/** Where the command runs; resolved into a concrete table by `target.ts`. */
export interface TargetFlags {
  endpoint?: string;
  table?: string;
  region?: string;
  stack?: string;
  usagePlan?: string;
}

export type Command =
  | { name: 'partners create'; partnerName: string; withKey: boolean }
  | { name: 'partners get'; partnerId: string }
  /** One page when `limit` or `cursor` is given; otherwise every partner. */
  | { name: 'partners list'; limit?: number; cursor?: string }
  | { name: 'partners suspend'; partnerId: string }
  | { name: 'partners reactivate'; partnerId: string }
  | { name: 'keys issue'; partnerId: string }
  | { name: 'keys list'; partnerId: string }
  | { name: 'keys revoke'; partnerId: string; keyId: string }
  | { name: 'subaccounts rotate-token'; partnerId: string; customerId: string };

export type CommandName = Command['name'];

export type Invocation =
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: Command; target: TargetFlags };

type CommandFlag = 'name' | 'with-key' | 'id' | 'partner' | 'key' | 'limit' | 'cursor' | 'customer';

interface CommandSpec {
  required: CommandFlag[];
  optional: CommandFlag[];
  synopsis: string;
  summary: string;
  /** Whether the command changes the partner's API Gateway key in a deployed stack. */
  touchesUsagePlan: boolean;
}

const TARGET_SYNOPSIS = '[--stack <name> | --table <name> [--usage-plan <id>] | --endpoint <url> [--table <name>]] [--region <region>]';

const SPECS: Record<CommandName, CommandSpec> = {
  'partners create': {
    required: ['name'],
    optional: ['with-key'],
    synopsis: 'partners create --name <name> [--with-key]',
    summary: 'Create a partner (and, with --with-key, its first API key, shown once).',
    touchesUsagePlan: true,
  },
  'partners get': { required: ['id'], optional: [], synopsis: 'partners get --id <ptn_…>', summary: 'Show a partner.', touchesUsagePlan: false },
  'partners list': {
    required: [],
    optional: ['limit', 'cursor'],
    synopsis: 'partners list [--limit <n>] [--cursor <cursor>]',
    summary: `List partners (id, name, status, createdAt), oldest first: all of them, or with --limit (1–${PAGE_LIMIT_MAX}, default ${PAGE_LIMIT_DEFAULT}) / --cursor one page and its nextCursor (null on the last page).`,
    touchesUsagePlan: false,
  },
  'partners suspend': {
    required: ['id'],
    optional: [],
    synopsis: 'partners suspend --id <ptn_…>',
    summary: `Refuse every API call of a partner with 403 partner-suspended, within the authorizer's ${AUTHORIZER_CACHE_SECONDS} s cache (its keys stay; deployed, its API Gateway key is disabled too).`,
    touchesUsagePlan: true,
  },
  'partners reactivate': {
    required: ['id'],
    optional: [],
    synopsis: 'partners reactivate --id <ptn_…>',
    summary: 'Let a suspended partner in again (its API Gateway key is enabled, or created if missing).',
    touchesUsagePlan: true,
  },
  'keys issue': {
    required: ['partner'],
    optional: [],
    synopsis: 'keys issue --partner <ptn_…>',
    summary: 'Issue an API key (an active partner only); the secret is printed this once only.',
    touchesUsagePlan: false,
  },
  'keys list': {
    required: ['partner'],
    optional: [],
    synopsis: 'keys list --partner <ptn_…>',
    summary: "List a partner's keys by prefix.",
    touchesUsagePlan: false,
  },
  'keys revoke': {
    required: ['partner', 'key'],
    optional: [],
    synopsis: 'keys revoke --partner <ptn_…> --key <key_…>',
    summary: `Revoke an API key: refused from the next request that is not answered from the authorizer's cache, within ${AUTHORIZER_CACHE_SECONDS} s (npm start uses the same cache).`,
    touchesUsagePlan: false,
  },
  'subaccounts rotate-token': {
    // The partner is required: a customer row is keyed by its partner, and finding it by id alone would take a Scan.
    required: ['customer', 'partner'],
    optional: [],
    synopsis: 'subaccounts rotate-token --customer <cus_…> --partner <ptn_…>',
    summary:
      "Rotate the customer's Twilio auth token with no webhook left unverifiable (run it again to finish one that stopped); the old token's webhooks are accepted until the printed deadline. Local platform or --stack.",
    touchesUsagePlan: false,
  },
};

/** Whether a deployed target must have a usage plan for this command. */
export function touchesUsagePlan(command: Command): boolean {
  return SPECS[command.name].touchesUsagePlan;
}

export function synopsis(name: CommandName): string {
  return `switchboard ${SPECS[name].synopsis} ${TARGET_SYNOPSIS}`;
}

export const HELP = [
  'Usage: switchboard <group> <action> [flags] [target]',
  '',
  'Commands:',
  ...Object.values(SPECS).map((s) => `  ${s.synopsis.padEnd(48)} ${s.summary}`),
  '',
  'Target (default: the running local platform, read from .local/platform.json):',
  '  --endpoint <url> --table <name>   a DynamoDB Local endpoint and table',
  '  --stack <name>                    a deployed platform stack (reads TableName, UsagePlanId outputs)',
  '  --table <name> --usage-plan <id>  a deployed table named explicitly (no --endpoint)',
  '  --region <region>                 overrides the region (deployed: else the AWS SDK default)',
  '',
  'Output is JSON on stdout; errors are JSON {error, detail} on stderr (exit 2 for usage errors).',
].join('\n');

const OPTIONS = {
  name: { type: 'string' },
  'with-key': { type: 'boolean' },
  id: { type: 'string' },
  partner: { type: 'string' },
  key: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  customer: { type: 'string' },
  endpoint: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  stack: { type: 'string' },
  'usage-plan': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

const COMMAND_FLAGS: readonly CommandFlag[] = ['name', 'with-key', 'id', 'partner', 'key', 'limit', 'cursor', 'customer'];

/** Ids are checked by shape so swapped flags (`--partner key_…`) fail here, not as a confusing 404. */
const ID_SHAPES: Partial<Record<CommandFlag, { prefix: string; pattern: RegExp }>> = {
  id: { prefix: 'ptn_', pattern: /^ptn_[0-9A-Z]{26}$/ },
  partner: { prefix: 'ptn_', pattern: /^ptn_[0-9A-Z]{26}$/ },
  key: { prefix: 'key_', pattern: /^key_[0-9A-Z]{26}$/ },
  customer: { prefix: 'cus_', pattern: /^cus_[0-9A-Z]{26}$/ },
};

function readOptions(argv: string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // parseArgs calls `--id --table x` "ambiguous"; the operator simply forgot the value.
    const missingValue = /^Option '(--[\w-]+)[^']*' argument (is ambiguous|missing)/.exec(message);
    throw new UsageError(missingValue ? `Option ${missingValue[1]} needs a value` : message, 'switchboard --help');
  }
}

function commandName(positionals: string[]): CommandName {
  const name = positionals.slice(0, 2).join(' ');
  if (positionals.length === 0) throw new UsageError('No command given', 'switchboard --help');
  if (!(name in SPECS)) throw new UsageError(`Unknown command "${name}"`, 'switchboard --help');
  if (positionals.length > 2) throw new UsageError(`Unexpected argument "${positionals[2]}"`, synopsis(name as CommandName));
  return name as CommandName;
}

function checkFlags(name: CommandName, values: Values): void {
  const spec = SPECS[name];
  const usage = synopsis(name);
  for (const flag of COMMAND_FLAGS) {
    if (values[flag] !== undefined && !spec.required.includes(flag) && !spec.optional.includes(flag)) {
      throw new UsageError(`Option --${flag} does not apply to "${name}"`, usage);
    }
  }
  for (const flag of spec.required) {
    const value = values[flag];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      throw new UsageError(`Missing required option --${flag} for "${name}"`, usage);
    }
    const shape = ID_SHAPES[flag];
    if (shape && typeof value === 'string' && !shape.pattern.test(value)) {
      throw new UsageError(`--${flag} must be an id like ${shape.prefix}01H… (got "${value}")`, usage);
    }
  }
  for (const flag of spec.optional) {
    const value = values[flag];
    if (typeof value === 'string' && value.trim() === '') throw new UsageError(`Option --${flag} needs a value`, usage);
  }
  if (values.limit !== undefined && pageLimit(values.limit) === undefined) {
    throw new UsageError(`--limit must be a whole number from 1 to ${PAGE_LIMIT_MAX} (got "${values.limit}")`, usage);
  }
}

function pageLimit(value: string): number | undefined {
  const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  return n >= 1 && n <= PAGE_LIMIT_MAX ? n : undefined;
}

function checkTarget(target: TargetFlags): void {
  const usage = 'switchboard --help';
  if (target.stack && target.endpoint) throw new UsageError('--stack and --endpoint name different targets; give one', usage);
  if (target.usagePlan && target.endpoint) throw new UsageError('--usage-plan applies to deployed stacks, not to --endpoint', usage);
  if (target.endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(target.endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) throw new UsageError(`--endpoint must be an http(s) URL (got "${target.endpoint}")`, usage);
  }
  for (const [flag, value] of [['table', target.table], ['region', target.region], ['stack', target.stack], ['usage-plan', target.usagePlan]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`--${flag} needs a value`, usage);
  }
}

function buildCommand(name: CommandName, values: Values): Command {
  const v = values as Required<Values>;
  switch (name) {
    case 'partners create':
      return { name, partnerName: v.name, withKey: values['with-key'] === true };
    case 'partners list':
      return { name, ...(values.limit !== undefined ? { limit: pageLimit(values.limit)! } : {}), ...(values.cursor !== undefined ? { cursor: values.cursor } : {}) };
    case 'partners get':
    case 'partners suspend':
    case 'partners reactivate':
      return { name, partnerId: v.id };
    case 'keys issue':
    case 'keys list':
      return { name, partnerId: v.partner };
    case 'keys revoke':
      return { name, partnerId: v.partner, keyId: v.key };
    case 'subaccounts rotate-token':
      return { name, partnerId: v.partner, customerId: v.customer };
  }
}

/** Parses `argv` (without `node` and the script) into a command and its target, or a usage error. */
export function parseInvocation(argv: string[]): Invocation {
  const { values, positionals } = readOptions(argv);
  if (values.help) return { kind: 'help', text: HELP };
  const name = commandName(positionals);
  checkFlags(name, values);
  const target: TargetFlags = {
    endpoint: values.endpoint,
    table: values.table,
    region: values.region,
    stack: values.stack,
    usagePlan: values['usage-plan'],
  };
  checkTarget(target);
  return { kind: 'run', command: buildCommand(name, values), target };
}

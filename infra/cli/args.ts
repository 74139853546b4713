import { parseArgs } from 'node:util';
import { UsageError } from './errors';
import { AUTHORIZER_CACHE_SECONDS } from '../catalog';
import { PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from '../../shared/domain/page';
import { QUEUES, type QueueName } from '../../shared/queue/queues';

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
  | { name: 'dlq list' }
  | { name: 'dlq peek'; queue: QueueName; max: number }
  | { name: 'dlq redrive'; queue: QueueName; maxPerSecond?: number }
  | { name: 'dlq redrive-status'; queue: QueueName }
  | { name: 'onboarding retry'; partnerId: string; customerId: string }
  /** From the start of the log unless `since` (an ISO time, normalised) or `after` (a cursor of the log) is given. */
  | { name: 'events replay'; partnerId: string; endpointId: string; since?: string; after?: string }
  /** `month` is YYYY-MM (UTC); absent: the current month. */
  | { name: 'customers usage'; partnerId: string; customerId: string; month?: string }

  | { name: 'subaccounts rotate-token'; partnerId: string; customerId: string }
  /** Without `customerId`: a partner-scope link. */
  | { name: 'portal open'; partnerId: string; customerId?: string };

export type CommandName = Command['name'];

/** The commands that reach the platform's queues and workflow (see CommandSpec.target). */
export type OperationCommand = Extract<Command, { name: `dlq ${string}` | `onboarding ${string}` | `events ${string}` }>;

export type Invocation =
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: Command; target: TargetFlags };

type CommandFlag = 'name' | 'with-key' | 'id' | 'partner' | 'key' | 'limit' | 'cursor' | 'queue' | 'max' | 'max-per-second' | 'customer' | 'endpoint' | 'since' | 'after' | 'month';

interface CommandSpec {
  required: CommandFlag[];
  optional: CommandFlag[];
  synopsis: string;
  summary: string;
  /** Whether the command changes the partner's API Gateway key in a deployed stack. */
  touchesUsagePlan: boolean;
  /**
   * `table`: the partner commands, which need only the table. `operations`: the commands that
   * also reach the platform's queues and workflow, so a bare table (or DynamoDB endpoint) is not
   * enough: the running local platform, or a deployed stack whose outputs name them.
   */
  target?: 'table' | 'operations';
}

const TARGET_SYNOPSIS = '[--stack <name> | --table <name> [--usage-plan <id>] | --endpoint <url> [--table <name>]] [--region <region>]';
const OPERATIONS_TARGET_SYNOPSIS = '[--stack <name>] [--region <region>]';
const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];
/** SQS's bounds for MaxNumberOfMessagesPerSecond of a message move task. */
export const MAX_REDRIVE_RATE = 500;
export const PEEK_MAX = 100;
export const PEEK_DEFAULT = 10;

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
  'dlq list': {
    required: [],
    optional: [],
    synopsis: 'dlq list',
    summary: 'Every dead-letter queue: its depth, the age of its oldest message (deployed: as CloudWatch last reported it) and the queue it redrives to.',
    touchesUsagePlan: false,
    target: 'operations',
  },
  'dlq peek': {
    required: ['queue'],
    optional: ['max'],
    synopsis: 'dlq peek --queue <name> [--max <n>]',
    summary: `Show up to --max (1-${PEEK_MAX}, default ${PEEK_DEFAULT}) dead letters of a queue (body, attributes, receive count, last failure when recorded), leaving them in the DLQ.`,
    touchesUsagePlan: false,
    target: 'operations',
  },
  'dlq redrive': {
    required: ['queue'],
    optional: ['max-per-second'],
    synopsis: 'dlq redrive --queue <name> [--max-per-second <n>]',
    summary: `Move a queue's dead letters back to it to be processed again (deployed: an SQS message move task, at most --max-per-second 1-${MAX_REDRIVE_RATE}; locally at once).`,
    touchesUsagePlan: false,
    target: 'operations',
  },
  'dlq redrive-status': {
    required: ['queue'],
    optional: [],
    synopsis: 'dlq redrive-status --queue <name>',
    summary: 'The most recent message move tasks (up to 10) of a dead-letter queue (deployed stacks; local redrives complete at once).',
    touchesUsagePlan: false,
    target: 'operations',
  },
  'onboarding retry': {
    required: ['partner', 'customer'],
    optional: [],
    synopsis: 'onboarding retry --partner <ptn_…> --customer <cus_…>',
    summary: "Restart a failed (or timed-out) onboarding from its first step that did not succeed, with the options it had; refused while it runs or once it has completed.",
    touchesUsagePlan: false,
    target: 'operations',
  },
  'events replay': {
    required: ['partner', 'endpoint'],
    optional: ['since', 'after'],
    synopsis: 'events replay --partner <ptn_…> --endpoint <we_…> [--since <ISO time> | --after <cursor>]',
    summary: "Send a partner's events again to one webhook endpoint, in log order: the whole log, those since a time, or those after a cursor of GET /v1/events.",
    touchesUsagePlan: false,
    target: 'operations',
  },
  'customers usage': {
    required: ['partner', 'customer'],
    optional: ['month'],
    synopsis: 'customers usage --partner <ptn_…> --customer <cus_…> [--month YYYY-MM]',
    summary:
      "A customer's usage in a calendar month (UTC, default the current one), as GET …/usage answers it: counts and numbers from the table; Twilio's records too when TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (the ISV master) are set.",
    touchesUsagePlan: false,
  },
  'portal open': {
    required: ['partner'],
    optional: ['customer'],
    synopsis: 'portal open --partner <ptn_…> [--customer <cus_…>]',
    summary:
      "A single-use portal link, as POST /v1/portal-sessions (or /v1/customers/{id}/portal-sessions with --customer) makes it: valid for an hour, opening a session for an hour. On the local platform's URL, or the stack's PortalBaseUrl with --stack.",
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

export function isOperation(command: Command): command is OperationCommand {
  return SPECS[command.name].target === 'operations';
}

export function synopsis(name: CommandName): string {
  return `switchboard ${SPECS[name].synopsis} ${SPECS[name].target === 'operations' ? OPERATIONS_TARGET_SYNOPSIS : TARGET_SYNOPSIS}`;
}

export const HELP = [
  'Usage: switchboard <group> <action> [flags] [target]',
  '',
  'Commands:',
  ...Object.values(SPECS).map((s) => `  ${s.synopsis.padEnd(48)} ${s.summary}`),
  '',
  `Queue names: ${QUEUE_NAMES.join(', ')} (a DLQ is named after the queue it redrives to).`,
  '',
  'Target (default: the running local platform, read from .local/platform.json):',
  '  --endpoint <url> --table <name>   a DynamoDB Local endpoint and table (partners and keys)',
  '  --stack <name>                    a deployed platform stack (reads its outputs and its stateful sibling\'s)',
  '  --table <name> --usage-plan <id>  a deployed table named explicitly (partners and keys; no --endpoint)',
  '  --region <region>                 overrides the region (deployed: else the AWS SDK default)',
  'dlq, onboarding and events commands take the local platform or --stack only: they reach its queues and workflow.',
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
  month: { type: 'string' },
  endpoint: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  stack: { type: 'string' },
  'usage-plan': { type: 'string' },
  queue: { type: 'string' },
  max: { type: 'string' },
  'max-per-second': { type: 'string' },
  since: { type: 'string' },
  after: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

const COMMAND_FLAGS: readonly CommandFlag[] = ['name', 'with-key', 'id', 'partner', 'key', 'limit', 'cursor', 'queue', 'max', 'max-per-second', 'customer', 'since', 'after', 'month'];

/** Ids are checked by shape so swapped flags (`--partner key_…`) fail here, not as a confusing 404. */
const ID_SHAPES: Partial<Record<CommandFlag, { prefix: string; pattern: RegExp }>> = {
  id: { prefix: 'ptn_', pattern: /^ptn_[0-9A-Z]{26}$/ },
  partner: { prefix: 'ptn_', pattern: /^ptn_[0-9A-Z]{26}$/ },
  key: { prefix: 'key_', pattern: /^key_[0-9A-Z]{26}$/ },
  customer: { prefix: 'cus_', pattern: /^cus_[0-9A-Z]{26}$/ },
  // Only `events replay` takes --endpoint as a command flag: there it is a webhook endpoint id.
  endpoint: { prefix: 'we_', pattern: /^we_[0-9A-Z]{26}$/ },
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
  if (spec.target === 'operations' && values.endpoint !== undefined && !spec.required.includes('endpoint')) {
    throw new UsageError(`--endpoint does not apply to "${name}": it needs the running local platform or --stack <name>`, usage);
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
    // An optional id (portal open's --customer) has the same shape as a required one.
    const shape = ID_SHAPES[flag];
    if (shape && typeof value === 'string' && !shape.pattern.test(value)) {
      throw new UsageError(`--${flag} must be an id like ${shape.prefix}01H… (got "${value}")`, usage);
    }
  }
  if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
    throw new UsageError(`--month must be a calendar month, YYYY-MM (got "${values.month}")`, usage);
  }
  if (values.limit !== undefined && pageLimit(values.limit) === undefined) {
    throw new UsageError(`--limit must be a whole number from 1 to ${PAGE_LIMIT_MAX} (got "${values.limit}")`, usage);
  }
  if (values.queue !== undefined && queueName(values.queue) === undefined) {
    throw new UsageError(`--queue must be one of ${QUEUE_NAMES.join(', ')} (got "${values.queue}")`, usage);
  }
  if (values.max !== undefined && wholeNumber(values.max, 1, PEEK_MAX) === undefined) {
    throw new UsageError(`--max must be a whole number from 1 to ${PEEK_MAX} (got "${values.max}")`, usage);
  }
  if (values['max-per-second'] !== undefined && wholeNumber(values['max-per-second'], 1, MAX_REDRIVE_RATE) === undefined) {
    throw new UsageError(`--max-per-second must be a whole number from 1 to ${MAX_REDRIVE_RATE} (got "${values['max-per-second']}")`, usage);
  }
  if (values.since !== undefined && isoTime(values.since) === undefined) {
    throw new UsageError(`--since must be an ISO 8601 time with a zone, e.g. 2025-01-02T03:04:05Z (got "${values.since}")`, usage);
  }
  if (values.since !== undefined && values.after !== undefined) throw new UsageError('--since and --after both say where to start; give one', usage);
}

/** A queue by its short name; the DLQ's own name (`<queue>-dlq`) means the same queue. */
function queueName(value: string): QueueName | undefined {
  const name = value.endsWith('-dlq') ? value.slice(0, -'-dlq'.length) : value;
  return (QUEUE_NAMES as string[]).includes(name) ? (name as QueueName) : undefined;
}

function wholeNumber(value: string, min: number, max: number): number | undefined {
  const n = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? n : undefined;
}

/** An ISO 8601 time with its zone (a bare date or local time would depend on the operator's machine), as the log writes it. */
function isoTime(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function pageLimit(value: string): number | undefined {
  const n = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  return n >= 1 && n <= PAGE_LIMIT_MAX ? n : undefined;
}

function checkTarget(target: TargetFlags, name: CommandName): void {
  const usage = 'switchboard --help';
  if (SPECS[name].target === 'operations') {
    // --endpoint is the webhook endpoint of `events replay`, not a target, so it is not looked at here.
    for (const [flag, value] of [['table', target.table], ['usage-plan', target.usagePlan]] as const) {
      if (value !== undefined) throw new UsageError(`--${flag} does not apply to "${name}": it needs the running local platform or --stack <name>`, synopsis(name));
    }
    for (const [flag, value] of [['region', target.region], ['stack', target.stack]] as const) {
      if (value !== undefined && value.trim() === '') throw new UsageError(`--${flag} needs a value`, usage);
    }
    return;
  }
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
    case 'dlq list':
      return { name };
    case 'dlq peek':
      return { name, queue: queueName(v.queue)!, max: values.max !== undefined ? wholeNumber(values.max, 1, PEEK_MAX)! : PEEK_DEFAULT };
    case 'dlq redrive':
      return { name, queue: queueName(v.queue)!, ...(values['max-per-second'] !== undefined ? { maxPerSecond: wholeNumber(values['max-per-second'], 1, MAX_REDRIVE_RATE)! } : {}) };
    case 'dlq redrive-status':
      return { name, queue: queueName(v.queue)! };
    case 'onboarding retry':
      return { name, partnerId: v.partner, customerId: v.customer };
    case 'events replay':
      return {
        name,
        partnerId: v.partner,
        endpointId: v.endpoint,
        ...(values.since !== undefined ? { since: isoTime(values.since)! } : {}),
        ...(values.after !== undefined ? { after: values.after } : {}),
      };
    case 'customers usage':
      return { name, partnerId: v.partner, customerId: v.customer, ...(values.month !== undefined ? { month: values.month } : {}) };
    case 'subaccounts rotate-token':
      return { name, partnerId: v.partner, customerId: v.customer };
    case 'portal open':
      return { name, partnerId: v.partner, ...(v.customer !== undefined ? { customerId: v.customer } : {}) };
  }
}

/** Parses `argv` (without `node` and the script) into a command and its target, or a usage error. */
export function parseInvocation(argv: string[]): Invocation {
  const { values, positionals } = readOptions(argv);
  if (values.help) return { kind: 'help', text: HELP };
  const name = commandName(positionals);
  const operation = SPECS[name].target === 'operations';
  checkFlags(name, values);
  const target: TargetFlags = {
    endpoint: operation ? undefined : values.endpoint,
    table: values.table,
    region: values.region,
    stack: values.stack,
    usagePlan: values['usage-plan'],
  };
  checkTarget(target, name);
  return { kind: 'run', command: buildCommand(name, values), target };
}

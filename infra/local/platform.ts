import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StepInput } from '../../shared/services/registration/contract';
import { dynamoOnboardingRunRepository } from '../../shared/store/onboarding-runs';
import { restartInput } from '../../shared/workflow/onboarding-runs';
import { metaEmbeddedSignupConfigured } from '../../shared/domain/whatsapp-embedded-signup';
import { portalSecurityHeaders } from '../../shared/http/portal-headers';
import { startApiGateway } from './api-gateway';
import { ensurePortalBuilt } from './portal-build';
import type { ThrottleSettings } from './api/throttle';
import { systemClock, type Clock } from './clock';
import { ensureTable, localDynamoClient, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb';
import { WEBHOOKS_PREFIX } from './function-urls';
import { createLambdaRuntime, type LambdaRuntime } from './lambda-runtime';
import { projectCatalog, type LocalCatalog } from './local-catalog';
import { localMasterKey } from './local-secrets';
import { consoleLog, type LocalLog } from './log';
import { createLocalQueues, LOCAL_QUEUE_TRANSPORT, type DrainResult, type LocalQueues } from './queues';
import { startOperatorEndpoint, type OperatorEndpoint } from './operator';
import { createLocalSchedules, type LocalSchedules } from './schedules';
import { acquireInstanceLock } from './instance-lock';
import { createLocalStreams, type LocalStreams } from './streams';
import { connectTwilio, sandboxAvailable, type SandboxHandle, type TwilioMode } from './twilio';
import { catalogTaskInvoker, createLocalWorkflowRunner, LOCAL_WORKFLOW_TRANSPORT, type LocalWorkflowRunner } from './workflow';
import { dynamoLocalExecutionStore, resumeRunningExecutions } from './workflow-executions';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export interface PlatformOptions {
  /** HTTP port of the API and webhooks; default PORT or 3000; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Use this DynamoDB (Local) endpoint instead of starting DynamoDB Local. */
  dynamoDbEndpoint?: string;
  /** Start DynamoDB Local in memory instead of persisting under `dataDir`. */
  inMemory?: boolean;
  /** Local state (database, master key, first-start marker); default `.local/` in the project. */
  dataDir?: string;
  /** Default `switchboard`; tests use one table per file. */
  tableName?: string;
  region?: string;
  /** Default: the project catalog. Tests pass fixture catalogs. */
  catalog?: LocalCatalog;
  /** Catalog entries are relative to it; default the project root. */
  rootDir?: string;
  /** Extra handler environment, applied last. */
  env?: Record<string, string>;
  /** Per-partner throttling (usage plan); `false` disables it. */
  throttle?: ThrottleSettings | false;
  /** Time of the queues, the schedules and the throttle; a manual clock makes them deterministic. */
  clock?: Clock;
  /**
   * Run in real time: poll queues (ms interval, or true = 100 ms) and the table stream (the same
   * interval, or true = 250 ms) in the background, run schedules on timers and let the sandbox
   * clock follow wall time. Tests leave it off, call `settle()` (or `queues.drain()`) and move
   * clocks by hand.
   */
  pollQueues?: boolean | number;
  /**
   * Default: the given TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN (real Twilio) when set, else the
   * sandbox when present, else none.
   */
  twilio?: TwilioMode;
  /** Reuse of authorizer Allow decisions per API key, as API Gateway does; default 0 (ask every time). */
  authorizerCacheSeconds?: number;
  /** Serve the portal at /portal, built first when its build is stale (`npm start` and the browser tests do). */
  portal?: boolean;
  /** Port of the Twilio sandbox when the platform starts one; default 0 (a free port). */
  sandboxPort?: number;
  /** How long the sandbox's reviews (bundles, brands, campaigns, numbers) take, in sandbox seconds. */
  sandboxReviewSeconds?: number;
  /** Start the loopback operator endpoint the operator CLI uses (dlq, onboarding retry, events replay); default off. */
  operatorEndpoint?: boolean;
  log?: LocalLog;
}

export interface Platform {
  /** Base URL of the REST API, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** `${url}/webhooks`: the canonical base of the function URLs (WEBHOOK_BASE_URL). */
  webhookBaseUrl: string;
  tableName: string;
  dynamoDbEndpoint: string;
  /** The environment the handlers run with. */
  env: Readonly<Record<string, string>>;
  queues: LocalQueues;
  /** Invokes catalog functions directly (workflow tasks, tools). */
  lambda: LambdaRuntime;
  /** The onboarding state machine, run in-process against the catalog's workflow tasks. */
  workflow: LocalWorkflowRunner;
  /** The table stream's consumers (catalog `tableStream` triggers), polling DynamoDB Local's stream. */
  streams: LocalStreams;
  /** The catalog's `schedule` triggers, on the platform's clock. */
  schedules: LocalSchedules;
  /**
   * Runs everything that is pending until nothing is: rounds of { running workflow executions
   * reach a wait or their end; the table stream drains; the queues drain (with a manual clock,
   * moving it to each delayed message); the schedules due by the clock run }, until a round does
   * nothing. Throws if that does not happen within `maxRounds` (default 100).
   */
  settle(options?: SettleOptions): Promise<SettleResult>;
  /** The Twilio sandbox, when the platform started one. */
  twilioSandbox?: SandboxHandle;
  /** The operator CLI's loopback endpoint, when asked for (see ./operator.ts). */
  operator?: Pick<OperatorEndpoint, 'url' | 'token'>;
  admin: PartnerAdmin;
  stop(): Promise<void>;
}

export interface SettleOptions {
  maxRounds?: number;
}

export interface SettleResult {
  rounds: number;
  /** Stream records delivered (failed tries included). */
  streamRecords: number;
  queues: DrainResult;
  scheduledRuns: number;
}

/** Operator actions the API does not expose, through the same partner service the operator CLI uses. */
export interface PartnerAdmin {
  createPartner(name: string): Promise<{ id: string; name: string; status: string }>;
  /** Returns the secret once, like the operator CLI. */
  issueKey(partnerId: string): Promise<{ keyId: string; secret: string }>;
  revokeKey(partnerId: string, keyId: string): Promise<void>;
  setPartnerStatus(partnerId: string, status: 'active' | 'suspended'): Promise<void>;
  /** A partner with one key, for demos and tests. */
  createPartnerWithKey(name: string): Promise<{ partnerId: string; keyId: string; apiKey: string }>;
}

/**
 * The whole platform on one machine: DynamoDB Local with the real table, the Twilio sandbox,
 * the in-process queues and the API/webhook server, all generated from the catalog and running
 * the real handler modules. The handlers' environment is set on `process.env` before any of them
 * is loaded, so run one platform per process (per jest test file).
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const log = options.log ?? consoleLog;
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'switchboard';
  const catalog = options.catalog ?? projectCatalog;
  const rootDir = options.rootDir ?? PROJECT_ROOT;
  const clock = options.clock ?? systemClock;
  const persistent = !options.inMemory && !options.dynamoDbEndpoint;
  // The master key and the sandbox's state live beside the data they belong to; with an external
  // DynamoDB endpoint they are kept only where a dataDir is given explicitly.
  const dataDir = options.inMemory ? undefined : options.dataDir ? resolve(options.dataDir) : persistent ? resolve(PROJECT_ROOT, '.local') : undefined;

  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error('Stopping a local component failed', error as Error);
      }
    }
  };

  try {
    // Before anything touches the data directory: a second platform on it refuses here.
    if (dataDir) {
      const release = acquireInstanceLock(dataDir);
      cleanups.push(async () => release());
    }
    let dynamo: DynamoDbLocal | undefined;
    if (!options.dynamoDbEndpoint) {
      dynamo = await startDynamoDbLocal({ inMemory: !persistent, dataDir: dataDir && resolve(dataDir, 'dynamodb') });
      cleanups.push(() => dynamo!.stop());
    }
    const dynamoDbEndpoint = options.dynamoDbEndpoint ?? dynamo!.endpoint;
    await ensureTable(dynamoDbEndpoint, tableName, { region });

    const twilio = await connectTwilio(options.twilio ?? defaultTwilioMode(), {
      realtime: Boolean(options.pollQueues),
      port: options.sandboxPort,
      reviewDelaySeconds: options.sandboxReviewSeconds,
      // The sandbox keeps its state beside the table's, so both survive a restart together.
      stateFile: dataDir && resolve(dataDir, 'twilio-sandbox.json'),
    });
    cleanups.push(() => twilio.stop());

    const lambda = createLambdaRuntime({ catalog, rootDir, region, log });
    const queues = createLocalQueues({ catalog, runtime: lambda, region, clock, log });
    cleanups.push(() => queues.stopPolling());

    // Executions are kept in the table, so a restart resumes the ones that were running (below).
    const db = DynamoDBDocumentClient.from(localDynamoClient(dynamoDbEndpoint, region), { marshallOptions: { removeUndefinedValues: true } });
    const executionStore = dynamoLocalExecutionStore(db, tableName, 'onboarding', {
      now: () => new Date(clock.now()),
      onError: (error) => log.error('Keeping a local workflow execution in the table failed', error),
    });
    const workflow = createLocalWorkflowRunner({ invoke: catalogTaskInvoker(catalog, lambda.invoke), region, clock, log, onChange: (execution) => executionStore.save(execution) });
    cleanups.push(async () => {
      await workflow.stop();
      await executionStore.flush();
    });

    // Checkpoints beside the table they belong to, so a restart does not replay the whole stream.
    const streams = createLocalStreams({ catalog, runtime: lambda, endpoint: dynamoDbEndpoint, tableName, region, log, checkpointFile: dataDir && resolve(dataDir, 'stream-checkpoints.json') });
    cleanups.push(() => streams.stop());
    const schedules = createLocalSchedules({ catalog, runtime: lambda, region, clock, log });
    cleanups.push(() => schedules.stop());

    // The handlers read the same variables (shared/config.ts) to tell the portal which Embedded Signup to run.
    const settings = { ...process.env, ...options.env };
    const metaEmbeddedSignup = metaEmbeddedSignupConfigured({ META_APP_ID: settings.META_APP_ID, META_EMBEDDED_SIGNUP_CONFIG_ID: settings.META_EMBEDDED_SIGNUP_CONFIG_ID });
    const staticSite = !options.portal ? undefined : { prefix: '/portal', dir: ensurePortalBuilt(PROJECT_ROOT), securityHeaders: portalSecurityHeaders({ metaEmbeddedSignup }) };
    const gateway = await startApiGateway({
      catalog, runtime: lambda, port: options.port, host: options.host, throttle: options.throttle, now: () => clock.now(),
      authorizerCacheSeconds: options.authorizerCacheSeconds, ...(staticSite ? { staticSite } : {}),
    });
    cleanups.push(() => gateway.stop());
    const webhookBaseUrl = process.env.WEBHOOK_BASE_URL ?? `${gateway.url}${WEBHOOKS_PREFIX}`;
    // Documents' bytes beside the table that names them; a throwaway platform's go with it.
    let documentsDir = dataDir && resolve(dataDir, 'documents');
    if (!documentsDir) {
      const temporary = mkdtempSync(join(tmpdir(), 'switchboard-documents-'));
      cleanups.push(async () => rmSync(temporary, { recursive: true, force: true }));
      documentsDir = temporary;
    }

    // Handlers are loaded on their first invocation, which cannot happen before this synchronous block ends.
    const env: Record<string, string> = {
      ...powertoolsDefaults(),
      AWS_REGION: region,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamoDbEndpoint,
      API_KEY_PREFIX: 'sb_test_',
      KEY_SERVICE: 'local',
      LOCAL_MASTER_KEY: process.env.LOCAL_MASTER_KEY ?? localMasterKey(dataDir),
      WEBHOOK_BASE_URL: webhookBaseUrl,
      QUEUE_URLS: JSON.stringify(queues.urls()),
      DOCUMENTS_DIR: documentsDir,
      STATE_MACHINE_ARN: workflow.stateMachineArn,
      // TrustHub sends review mail to an ISV-owned inbox; locally nobody reads it.
      TWILIO_NOTIFICATION_EMAIL: process.env.TWILIO_NOTIFICATION_EMAIL ?? 'a2p-notifications@switchboard.example',
      ...twilio.env,
      ...options.env,
    };
    const previous = applyEnv(env);
    cleanups.unshift(async () => {
      applyEnv(previous);
    });
    (globalThis as Record<symbol, unknown>)[LOCAL_QUEUE_TRANSPORT] = queues;
    cleanups.push(async () => {
      if ((globalThis as Record<symbol, unknown>)[LOCAL_QUEUE_TRANSPORT] === queues) delete (globalThis as Record<symbol, unknown>)[LOCAL_QUEUE_TRANSPORT];
    });

    (globalThis as Record<symbol, unknown>)[LOCAL_WORKFLOW_TRANSPORT] = workflow.transport;
    cleanups.push(async () => {
      if ((globalThis as Record<symbol, unknown>)[LOCAL_WORKFLOW_TRANSPORT] === workflow.transport) delete (globalThis as Record<symbol, unknown>)[LOCAL_WORKFLOW_TRANSPORT];
    });

    if (options.pollQueues) {
      const intervalMs = options.pollQueues === true ? undefined : options.pollQueues;
      workflow.startTimers();
      queues.startPolling(intervalMs);
      streams.startPolling(intervalMs);
      schedules.startTimers();
    }
    // Executions a stop (or a crash) interrupted start again from their run's first unfinished step;
    // a step that was waiting parks a new task token, which the next status event takes.
    const runs = dynamoOnboardingRunRepository(db, tableName);
    const resumed = await resumeRunningExecutions(executionStore, workflow, async (stored) => {
      const { partnerId, customerId, attempt } = (stored.input as { input: StepInput }).input;
      return restartInput(await runs.get(partnerId, customerId), attempt);
    });
    let operator: OperatorEndpoint | undefined;
    if (options.operatorEndpoint) {
      operator = await startOperatorEndpoint({ queues, workflow, clock });
      cleanups.push(() => operator!.stop());
    }
    if (resumed.length > 0) log.info(`resumed ${resumed.length} onboarding execution${resumed.length === 1 ? '' : 's'}: ${resumed.join(', ')}`);
    for (const fn of lambda.missingEntries()) log.warn(`catalog function '${fn.id}' has no module at ${fn.entry}; it answers 502 until it exists`);

    return {
      url: gateway.url,
      webhookBaseUrl,
      tableName,
      dynamoDbEndpoint,
      env,
      queues,
      lambda,
      workflow,
      streams,
      schedules,
      settle: (settleOptions) => settle({ workflow, streams, queues, schedules }, settleOptions),
      twilioSandbox: twilio.sandbox,
      ...(operator ? { operator: { url: operator.url, token: operator.token } } : {}),
      admin: partnerAdmin(rootDir),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Deterministic quiescence: each step waits for what it started, nothing sleeps. A round did
 * something when an execution moved, a stream record or queue batch was delivered, a message was
 * dead-lettered or a schedule ran; the next round then looks at what that produced.
 */
async function settle(
  { workflow, streams, queues, schedules }: Pick<Platform, 'workflow' | 'streams' | 'queues' | 'schedules'>,
  { maxRounds = 100 }: SettleOptions = {},
): Promise<SettleResult> {
  const result: SettleResult = { rounds: 0, streamRecords: 0, queues: { batches: 0, delivered: 0, deleted: 0, failed: 0, deadLettered: 0 }, scheduledRuns: 0 };
  const transitions = () => workflow.executions().reduce((sum, e) => sum + e.transitions, 0);
  for (let round = 1; round <= maxRounds; round++) {
    result.rounds = round;
    const before = transitions();
    await workflow.whenIdle();
    const streamed = await streams.drain();
    const drained = await queues.drain();
    const scheduled = await schedules.runDue();
    result.streamRecords += streamed;
    for (const key of Object.keys(result.queues) as (keyof DrainResult)[]) result.queues[key] += drained[key];
    result.scheduledRuns += scheduled;
    if (transitions() === before && streamed === 0 && drained.batches === 0 && drained.deadLettered === 0 && scheduled === 0) return result;
  }
  throw new Error(
    `The platform did not settle within ${maxRounds} rounds (${result.streamRecords} stream records, ${result.queues.batches} queue batches, ${result.scheduledRuns} scheduled runs): ` +
      'something keeps producing work, e.g. a consumer that writes what it reads, or a message that is always delayed again',
  );
}

function defaultTwilioMode(): TwilioMode {
  const { TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, TWILIO_BASE_URL: baseUrl } = process.env;
  if (accountSid && authToken) return { accountSid, authToken, baseUrl };
  return sandboxAvailable() ? 'sandbox' : 'none';
}

/** Quiet, readable local logs: warnings and errors only, no metric blobs; any POWERTOOLS_* already set wins. */
function powertoolsDefaults(): Record<string, string> {
  const defaults: Record<string, string> = {
    POWERTOOLS_SERVICE_NAME: 'switchboard',
    POWERTOOLS_METRICS_NAMESPACE: 'Switchboard',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_DEV: 'false',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
  for (const key of Object.keys(defaults)) if (process.env[key] !== undefined) defaults[key] = process.env[key]!;
  return defaults;
}

/** Sets the variables and returns what they were, so `stop()` can put them back. */
function applyEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const previous: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    previous[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return previous;
}

interface PartnerServiceModule {
  partners: {
    create(name: string): Promise<{ id: string; name: string; status: string }>;
    issueKey(partnerId: string): Promise<{ key: { id: string }; secret: string }>;
    revokeKey(partnerId: string, keyId: string): Promise<unknown>;
    setStatus(partnerId: string, status: 'active' | 'suspended'): Promise<unknown>;
  };
}

/** Loaded on first use, after the environment is set, like a handler. */
function partnerAdmin(rootDir: string): PartnerAdmin {
  const service = () => (require(resolve(rootDir, 'shared/wiring/partners')) as PartnerServiceModule).partners;
  const admin: PartnerAdmin = {
    createPartner: (name) => service().create(name),
    async issueKey(partnerId) {
      const { key, secret } = await service().issueKey(partnerId);
      return { keyId: key.id, secret };
    },
    async revokeKey(partnerId, keyId) {
      await service().revokeKey(partnerId, keyId);
    },
    async setPartnerStatus(partnerId, status) {
      await service().setStatus(partnerId, status);
    },
    async createPartnerWithKey(name) {
      const partner = await admin.createPartner(name);
      const { keyId, secret } = await admin.issueKey(partner.id);
      return { partnerId: partner.id, keyId, apiKey: secret };
    },
  };
  return admin;
}

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import type { LocalCatalog, LocalFunctionSpec } from './local-catalog';
import type { LocalLog } from './log';

/** What the CDK Lambda construct applies when the catalog says nothing; Lambda's own default (3 s) is too tight for DynamoDB Local's first calls. */
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_MEMORY_MB = 1024;
const LOCAL_ACCOUNT = '000000000000';

export type LambdaFailureKind = 'load' | 'handler' | 'timeout';

/** The invocation failed the way a Lambda invocation fails: the function threw, timed out, or could not be loaded. */
export class LambdaInvocationError extends Error {
  constructor(
    readonly functionId: string,
    readonly kind: LambdaFailureKind,
    cause: unknown,
  ) {
    super(`${functionId}: ${kind === 'timeout' ? 'Task timed out' : kind === 'load' ? 'could not be loaded' : 'handler failed'}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'LambdaInvocationError';
  }
}

type Handler = (event: unknown, context: Context, callback: (error?: unknown, result?: unknown) => void) => unknown;

export interface LambdaRuntime {
  readonly region: string;
  spec(functionId: string): LocalFunctionSpec;
  /** Invokes the function's `handler` like Lambda does (event + context), loading its module on first use (a cold start). */
  invoke(functionId: string, event: unknown): Promise<unknown>;
  /** Catalog entries whose module file does not exist (yet). */
  missingEntries(): LocalFunctionSpec[];
}

export interface LambdaRuntimeOptions {
  catalog: LocalCatalog;
  /** Catalog `entry` paths are relative to it. */
  rootDir: string;
  region: string;
  log: LocalLog;
}

/**
 * Runs catalog functions in this process. Modules are required lazily, after the platform has
 * set the environment, because `shared/config.ts` parses it at import — exactly when a Lambda
 * cold start would. All functions share this process's module cache (and so one configuration):
 * one platform per process, or per jest test file.
 */
export function createLambdaRuntime({ catalog, rootDir, region, log }: LambdaRuntimeOptions): LambdaRuntime {
  const byId = new Map(catalog.functions.map((f) => [f.id, f]));
  const handlers = new Map<string, Handler>();

  function spec(functionId: string): LocalFunctionSpec {
    const found = byId.get(functionId);
    if (!found) throw new Error(`No function '${functionId}' in the catalog`);
    return found;
  }

  function load(fn: LocalFunctionSpec): Handler {
    const cached = handlers.get(fn.id);
    if (cached) return cached;
    let handler: unknown;
    try {
      handler = (require(resolve(rootDir, fn.entry)) as { handler?: unknown }).handler;
    } catch (error) {
      throw new LambdaInvocationError(fn.id, 'load', error);
    }
    if (typeof handler !== 'function') throw new LambdaInvocationError(fn.id, 'load', new Error(`${fn.entry} does not export a handler function`));
    handlers.set(fn.id, handler as Handler);
    return handler as Handler;
  }

  async function invoke(functionId: string, event: unknown): Promise<unknown> {
    const fn = spec(functionId);
    const handler = load(fn);
    const timeoutMs = (fn.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const deadline = Date.now() + timeoutMs;
    const awsRequestId = randomUUID();
    let timer: NodeJS.Timeout | undefined;

    const outcome = new Promise<unknown>((resolvePromise, rejectPromise) => {
      const callback = (error?: unknown, result?: unknown) => (error ? rejectPromise(error) : resolvePromise(result));
      const context = lambdaContext(fn, region, awsRequestId, deadline, callback);
      try {
        const returned = handler(overTheWire(event), context, callback);
        if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(resolvePromise, rejectPromise);
      } catch (error) {
        rejectPromise(error);
      }
    });
    const timedOut = new Promise<never>((_, rejectPromise) => {
      timer = setTimeout(() => rejectPromise(new LambdaInvocationError(fn.id, 'timeout', new Error(`after ${timeoutMs / 1000} seconds`))), timeoutMs);
      timer.unref();
    });
    try {
      return overTheWire(await Promise.race([outcome, timedOut]));
    } catch (error) {
      const failure = error instanceof LambdaInvocationError ? error : new LambdaInvocationError(fn.id, 'handler', error);
      // A REQUEST authorizer answers a rejected key by throwing `Unauthorized` (API Gateway's
      // protocol for a 401): an ordinary outcome, worth one line, not a stack trace. From any
      // other function it is a failure like the rest.
      if (fn.trigger.kind === 'authorizer' && failure.kind === 'handler' && (error as Error)?.message === 'Unauthorized') {
        log.warn(`${fn.id} (${awsRequestId}) rejected an API key (401 Unauthorized)`);
        throw failure;
      }
      log.error(`${fn.id} (${awsRequestId}) ${failure.message}`, failure.kind === 'handler' ? (error as Error) : undefined);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    region,
    spec,
    invoke,
    missingEntries: () => catalog.functions.filter((fn) => !entryExists(resolve(rootDir, fn.entry))),
  };
}

/**
 * Events and results cross a JSON boundary in Lambda: handlers get plain parsed objects (a key
 * named `__proto__` is an ordinary own property), never shared references, and a result that
 * does not serialise fails the invocation.
 */
function overTheWire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

function entryExists(path: string): boolean {
  return existsSync(path) || ['.ts', '.js'].some((ext) => existsSync(path.replace(/\.[jt]s$/, '') + ext));
}

function lambdaContext(
  fn: LocalFunctionSpec,
  region: string,
  awsRequestId: string,
  deadline: number,
  callback: (error?: unknown, result?: unknown) => void,
): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.id,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${fn.id}`,
    memoryLimitInMB: String(fn.memoryMb ?? DEFAULT_MEMORY_MB),
    awsRequestId,
    logGroupName: `/aws/lambda/${fn.id}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (error?: Error, result?: unknown) => callback(error, result),
    fail: (error: Error | string) => callback(typeof error === 'string' ? new Error(error) : error),
    succeed: (result: unknown) => callback(undefined, result),
  };
}

export { LOCAL_ACCOUNT };

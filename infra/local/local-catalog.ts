import { catalog, QUEUES, type FunctionSpec, type QueueTrigger, type Trigger } from '../catalog';

/**
 * The catalog as the local runtime reads it. Queue names are plain strings here so tests can
 * hand the runtime a fixture catalog (with fixture handlers and queues) of the same shape as the
 * real one; the real catalog is assignable to it unchanged.
 */
export type LocalTrigger = Exclude<Trigger, QueueTrigger> | (Omit<QueueTrigger, 'queue'> & { queue: string });
export type LocalFunctionSpec = Omit<FunctionSpec, 'trigger'> & { trigger: LocalTrigger };

export interface QueuePolicy {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface LocalCatalog {
  functions: readonly LocalFunctionSpec[];
  queues: Readonly<Record<string, QueuePolicy>>;
}

export const projectCatalog: LocalCatalog = { functions: catalog, queues: QUEUES };

export type WithTrigger<K extends LocalTrigger['kind']> = LocalFunctionSpec & { trigger: Extract<LocalTrigger, { kind: K }> };

export function functionsOf<K extends LocalTrigger['kind']>(local: LocalCatalog, kind: K): WithTrigger<K>[] {
  return local.functions.filter((f): f is WithTrigger<K> => f.trigger.kind === kind);
}

/** The single function of a kind the API needs exactly once (authorizer, route fallback). */
export function singleFunction<K extends 'authorizer' | 'routeFallback'>(local: LocalCatalog, kind: K): WithTrigger<K> | undefined {
  const found = functionsOf(local, kind);
  if (found.length > 1) throw new Error(`The catalog declares ${found.length} '${kind}' functions; exactly one is expected`);
  return found[0];
}

import type { Access, FunctionSpec, QueueTrigger, Trigger } from '../catalog';

/**
 * The catalog's shapes with queue names widened from the literal `QueueName` union to `string`.
 * The real catalog is assignable to these, and tests can hand the constructs a fixture catalog
 * with queues of their own without fighting the literal types.
 */
export type FunctionTrigger = Exclude<Trigger, QueueTrigger> | (Omit<QueueTrigger, 'queue'> & { queue: string });

export type FunctionAccess = Omit<Access, 'sendTo'> & { sendTo?: readonly string[] };

export type FunctionDefinition = Omit<FunctionSpec, 'trigger' | 'access'> & {
  trigger: FunctionTrigger;
  access: FunctionAccess;
};

/** Delivery policy of one work queue; mirrors the values of `QUEUES` in the catalog. */
export interface QueueDefinition {
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export type QueueDefinitions = Readonly<Record<string, QueueDefinition>>;

/** `customers-create` → `CustomersCreate`: construct ids and output names stay readable and stable. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

import type { FunctionDefinition, QueueDefinitions } from '../../infra/constructs/catalog-types';

/**
 * A self-contained catalog with every trigger kind (routes public and partner, webhook receivers,
 * queue consumers, workflow tasks, a workflow-starting route), so generation is proven independently
 * of what the real catalog holds today. Entries reuse an existing handler file: bundling is skipped.
 */
export const FIXTURE_QUEUES: QueueDefinitions = {
  'inbound-messages': { visibilityTimeoutSeconds: 60, maxReceiveCount: 5 },
  'status-callbacks': { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 },
};

const entry = 'functions/http/fallback.ts';

export const FIXTURE_FUNCTIONS: FunctionDefinition[] = [
  { id: 'authorizer', entry, description: 'Validates partner API keys', trigger: { kind: 'authorizer' }, access: { table: 'read' } },
  { id: 'route-fallback', entry, description: 'Unknown routes and methods', trigger: { kind: 'routeFallback' }, access: {} },
  { id: 'openapi-get', entry, description: 'Public document', trigger: { kind: 'api', method: 'GET', path: '/openapi.json', auth: 'none' }, access: {} },
  {
    id: 'customers-get',
    entry,
    description: 'Fetches one customer',
    trigger: { kind: 'api', method: 'GET', path: '/v1/customers/{id}', auth: 'partner' },
    access: { table: 'read' },
  },
  {
    id: 'webhook-messaging',
    entry,
    description: 'Twilio messaging webhook receiver',
    trigger: { kind: 'functionUrl', name: 'messaging' },
    access: { table: 'read', keys: ['decrypt'], sendTo: ['inbound-messages'] },
  },
  {
    id: 'webhook-status',
    entry,
    description: 'Twilio status callback receiver',
    trigger: { kind: 'functionUrl', name: 'status' },
    access: { table: 'read', keys: ['decrypt'], sendTo: ['status-callbacks'] },
  },
  {
    id: 'inbound-consumer',
    entry,
    description: 'Consumes inbound messages',
    trigger: { kind: 'queue', queue: 'inbound-messages', batchSize: 10 },
    access: { table: 'readwrite' },
  },
  {
    id: 'create-subaccount',
    entry,
    description: 'Workflow task: creates the Twilio subaccount',
    trigger: { kind: 'workflowTask', substitution: 'FunctionArn_CreateSubaccount' },
    access: { table: 'readwrite', keys: ['encrypt', 'decrypt'], twilioMaster: true },
  },
  {
    id: 'status-consumer',
    entry,
    description: 'Consumes status callbacks and resumes waiting workflows',
    trigger: { kind: 'queue', queue: 'status-callbacks', batchSize: 5, maxConcurrency: 20 },
    access: { table: 'readwrite', workflow: ['callback'] },
  },
  {
    id: 'onboarding-start',
    entry,
    description: 'Starts onboarding for a customer',
    trigger: { kind: 'api', method: 'POST', path: '/v1/customers/{id}/onboarding', auth: 'partner' },
    access: { table: 'readwrite', workflow: ['start'] },
  },
];

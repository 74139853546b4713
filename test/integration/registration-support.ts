import { randomBytes, randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, localDynamoClient } from '../../infra/local/dynamodb';
import { startTwilioSandbox, type TwilioSandbox, type WebhookRequest } from '../../infra/local/twilio-sandbox';
import { createLocalKeyService } from '../../shared/crypto';
import type { CustomerCreate } from '../../shared/domain/customer';
import type { OnboardingOptions } from '../../shared/domain/onboarding';
import type { StepDeps } from '../../shared/services/registration/context';
import { registrationEventTarget, recordNumberRegistration } from '../../shared/services/registration/events';
import { registrationService } from '../../shared/services/registration/registration-service';
import { onboardingSteps } from '../../shared/services/registration/steps';
import type { PartnerEvent, PartnerEventInput, PartnerEventLog } from '../../shared/services/partner-events-contract';
import { subaccountService } from '../../shared/services/subaccounts';
import { dynamoCustomerRepository, type CustomerRecord } from '../../shared/store/customers';
import { dynamoOnboardingRepository } from '../../shared/store/onboarding';
import { dynamoSubaccountRepository } from '../../shared/store/subaccounts';
import { createSdkTwilioGateway } from '../../shared/twilio/sdk-gateway';
import { everyArea } from '../../shared/twilio/sdk/areas';
import { sequentialIds } from '../support/fakes';
import { validCustomer } from '../support/fixtures';
import { ENDPOINT_VARIABLE } from './global-setup';

export const WEBHOOK_BASE = 'https://hooks.example/twilio';

/** An event the memory log kept, with its partner (`data` left loose for assertions). */
export type LoggedEvent = { partnerId: string; id: string; type: string; customerId?: string; occurredAt: string; data: Record<string, unknown> };

/**
 * An in-memory partner event log with the contract's ordering. The caller's items of `appendWith`
 * are written to the table (when given one) in one transaction; a condition that fails stores
 * neither them nor the events, as the real log does.
 */
export function memoryEventLog(table?: { db: DynamoDBDocumentClient; tableName: string }): PartnerEventLog & { events: LoggedEvent[] } {
  const events: LoggedEvent[] = [];
  const append = async (partnerId: string, event: PartnerEventInput): Promise<PartnerEvent> => {
    const stored = { ...event, id: String(events.length + 1).padStart(12, '0'), occurredAt: new Date().toISOString() };
    events.push({ ...stored, partnerId });
    return stored;
  };
  return {
    events,
    append,
    async appendWith(partnerId, list, items) {
      if (items.length > 0) {
        if (!table) throw new Error('This memory event log has no table to write the items to');
        try {
          await table.db.send(new TransactWriteCommand({ TransactItems: items }));
        } catch (error) {
          if (error instanceof TransactionCanceledException) return { committed: false };
          throw error;
        }
      }
      const stored: PartnerEvent[] = [];
      for (const event of list) stored.push(await append(partnerId, event));
      return { committed: true, events: stored };
    },
  };
}

/**
 * The registration services over DynamoDB Local (a table of its own) and an in-process Twilio
 * sandbox with no review delay; webhooks are captured, and Event Streams deliveries can be fed
 * back into the number-registration recorder as the events consumer would.
 */
export async function startRegistrationHarness(name: string) {
  const endpoint = process.env[ENDPOINT_VARIABLE];
  if (!endpoint) throw new Error(`${ENDPOINT_VARIABLE} is not set: run through the integration project`);
  const tableName = `it-${name}-${randomUUID().slice(0, 8)}`;
  await ensureTable(endpoint, tableName);
  const db = DynamoDBDocumentClient.from(localDynamoClient(endpoint), { marshallOptions: { removeUndefinedValues: true } });

  const delivered: WebhookRequest[] = [];
  const sandbox: TwilioSandbox = await startTwilioSandbox({
    reviewDelaySeconds: 0,
    dispatch: async (req) => {
      delivered.push(req);
      return { status: 200 };
    },
  });
  const twilio = createSdkTwilioGateway({
    master: { accountSid: sandbox.masterAccountSid, authToken: sandbox.masterAuthToken },
    baseUrl: sandbox.url,
    retry: { sleep: async () => {} },
    log: { warn: () => {} },
  }, ...everyArea);
  const clock = { now: () => new Date() };
  const ids = sequentialIds();
  const customers = dynamoCustomerRepository(db, tableName);
  const onboarding = dynamoOnboardingRepository(db, tableName);
  const subaccountRepo = dynamoSubaccountRepository(db, tableName);
  const events = memoryEventLog({ db, tableName });
  const subaccounts = subaccountService({ customers, subaccounts: subaccountRepo, twilio, keys: createLocalKeyService({ masterKey: randomBytes(32).toString('base64') }), clock, ids, events });
  const deps: StepDeps = {
    twilio,
    onboarding,
    customers,
    subaccounts,
    events,
    clock,
    settings: { primaryProfileSid: sandbox.primaryCustomerProfileSid, notificationEmail: 'compliance@isv.example', webhookBaseUrl: async () => WEBHOOK_BASE },
  };
  const steps = onboardingSteps(deps);
  const service = registrationService({ ...deps, steps });

  let customerSeq = 0;
  async function createCustomer(partnerId: string, overrides: Partial<CustomerCreate> = {}): Promise<CustomerRecord> {
    const at = new Date().toISOString();
    const record: CustomerRecord = { ...validCustomer(overrides), id: `cus_${name}_${++customerSeq}`, status: 'active', partnerId, version: 1, createdAt: at, updatedAt: at };
    await customers.create(record);
    return record;
  }

  /** Feeds captured Event Streams deliveries to the number-registration recorder. */
  async function deliverNumberEvents(): Promise<void> {
    for (const req of delivered.splice(0)) {
      if (!req.url.startsWith(`${WEBHOOK_BASE}/events`)) continue;
      for (const event of JSON.parse(req.body) as Array<Record<string, unknown>>) {
        const target = registrationEventTarget(event);
        if (!target?.number) continue;
        const account = await subaccountRepo.get(target.accountSid);
        if (account) await recordNumberRegistration({ onboarding, events, clock }, account, target);
      }
    }
  }

  return {
    sandbox,
    deps,
    steps,
    service,
    events,
    onboarding,
    customers,
    delivered,
    createCustomer,
    deliverNumberEvents,
    async configure(partnerId: string, customerId: string, options: Partial<OnboardingOptions>) {
      return service.configure(partnerId, customerId, options);
    },
    posts: (path: string | RegExp) => sandbox.requests({ method: 'POST', path }).length,
    stop: () => sandbox.stop(),
  };
}
export type RegistrationHarness = Awaited<ReturnType<typeof startRegistrationHarness>>;

export const CAMPAIGN: NonNullable<OnboardingOptions['campaign']> = {
  useCase: 'ACCOUNT_NOTIFICATION',
  description: 'Appointment reminders and confirmations for customers of Acme Widgets.',
  messageFlow: 'Customers opt in on the booking form at https://acme.example.com/book by ticking an SMS consent box.',
  messageSamples: ['Acme Widgets: your appointment is tomorrow at [time]. Reply STOP to opt out.', 'Acme Widgets: please confirm your visit on [date]. Reply STOP to opt out.'],
  hasEmbeddedLinks: false,
  hasEmbeddedPhone: false,
  ageGated: false,
  directLending: false,
};

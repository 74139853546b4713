import { subaccountReader } from '../services/subaccounts';
import { systemClock, ulidIds } from '../services/support';
import { templateService, type TemplateService } from '../services/whatsapp/templates';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { templateStore } from '../store/templates';
import { contentAdapter } from '../twilio/sdk/content';
import { keyService } from './keys';
import { partnerEvents } from './partner-events';
import { tokenCache } from './token-cache';
import { twilio } from './twilio';

/** Templates are all these functions ask of Twilio, so they carry the content area only. */
export const contentGateway = twilio.gateway(contentAdapter);

const customers = dynamoCustomerRepository(documentClient, tableName);
const subaccounts = subaccountReader({ customers, subaccounts: dynamoSubaccountRepository(documentClient, tableName), keys: keyService, tokens: tokenCache });

/** Default wiring of the template service (create, lint, resubmit, delete, refresh); built on first use. */
let service: TemplateService | undefined;
export function templates(): TemplateService {
  return (service ??= templateService({
    templates: templateStore(documentClient, tableName),
    customers,
    twilio: contentGateway,
    credentials: (partnerId, customerId) => subaccounts.credentials(partnerId, customerId),
    events: partnerEvents,
    clock: systemClock,
    ids: ulidIds,
  }));
}

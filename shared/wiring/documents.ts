import { documentService, type DocumentService } from '../services/documents';
import { subaccountReader } from '../services/subaccounts';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { dynamoSubaccountRepository } from '../store/subaccounts';
import { trusthubAdapter } from '../twilio/sdk/trusthub';
import { defaultDocumentStore, documentCustomers, documentRepository } from './document-reads';
import { keyService } from './keys';
import { tokenCache } from './token-cache';
import { twilio } from './twilio';

const onboarding = dynamoOnboardingRepository(documentClient, tableName);
const subaccounts = subaccountReader({ customers: documentCustomers, subaccounts: dynamoSubaccountRepository(documentClient, tableName), keys: keyService, tokens: tokenCache });

/** The upload: the document service with TrustHub (the hand-off) and the subaccount's credentials; built on first use. */
let service: DocumentService | undefined;
export function documents(): DocumentService {
  return (service ??= documentService({
    documents: documentRepository,
    store: defaultDocumentStore(),
    customers: documentCustomers,
    registrationSids: async (partnerId, customerId) => (await onboarding.get(partnerId, customerId))?.sids ?? {},
    credentials: (partnerId, customerId) => subaccounts.credentials(partnerId, customerId),
    twilio: twilio.gateway(trusthubAdapter),
    clock: systemClock,
    ids: ulidIds,
  }));
}

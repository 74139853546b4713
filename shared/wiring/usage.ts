import { systemClock } from '../services/support';
import { usageService } from '../services/usage';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoOnboardingRepository } from '../store/onboarding';
import { usageStore } from '../store/usage';
import { usageAdapter } from '../twilio/sdk/usage';
import { twilio } from './twilio';

const tableReads = {
  customers: dynamoCustomerRepository(documentClient, tableName),
  numbers: dynamoOnboardingRepository(documentClient, tableName),
  counters: usageStore(documentClient, tableName),
  clock: systemClock,
};

/**
 * A customer's monthly usage: the table's counters and numbers, and Twilio's usage records read
 * with the master credentials on the subaccount's path, so this function opens no subaccount token.
 */
export const usage = usageService({ ...tableReads, twilio: twilio.gateway(usageAdapter) });

/** The same figures from the table alone, for a caller without Twilio credentials (the operator CLI). */
export const tableUsage = usageService(tableReads);

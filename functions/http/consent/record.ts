import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ConsentRecordInputSchema, parseContact } from '../../../shared/domain/consent';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseJsonBody, partnerIdOf, pathParam } from '../../../shared/http/request';
import { consent } from '../../../shared/wiring/consent';
import { messaging, messagingCredentials } from '../../../shared/wiring/messaging';

/**
 * POST /v1/customers/{id}/contacts/{phone}/consent — records a consent the partner captured, with
 * its evidence (201, idempotent per content). An opt-out also cancels the messages still scheduled
 * to the contact: Twilio knows only of handset STOPs and would send them at their time.
 */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const customerId = pathParam(event, 'id');
  const contact = parseContact(pathParam(event, 'phone'));
  const input = parseJsonBody(event, ConsentRecordInputSchema);
  const result = await consent.recordPartnerConsent(partnerId, customerId, contact, input);
  if (input.action === 'opt-out' && input.channel === 'sms' && result.channels.sms.state === 'opted-out') {
    await messaging().cancelScheduledTo(partnerId, customerId, contact, messagingCredentials(partnerId, customerId));
  }
  return json(201, result, { location: `/v1/customers/${customerId}/contacts/${encodeURIComponent(contact)}/consent` });
}

export const handler = apiHandler(main);

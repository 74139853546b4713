import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { partnerIdOf, pathParam } from '../../../shared/http/request';
import { registrations } from '../../../shared/wiring/registrations';

/** DELETE /v1/customers/{id}/numbers/{numberId} — detaches from the messaging service, releases on Twilio, frees the number. */
export async function main(event: APIGatewayProxyEvent) {
  await registrations().releaseNumber(partnerIdOf(event), pathParam(event, 'id'), pathParam(event, 'numberId'));
  return { statusCode: 204, headers: {}, body: '' };
}

export const handler = apiHandler(main);

import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { CustomerCreateSchema, type CustomerCreate } from '../../../shared/domain/customer';
import { apiHandler } from '../../../shared/http/api-handler';
import { idempotentCreate } from '../../../shared/http/idempotency';
import { json, parseJsonBody, partnerIdOf } from '../../../shared/http/request';
import { customers } from '../../../shared/wiring/customers';

/** POST /v1/customers — creates a customer of the calling partner. Honors `Idempotency-Key`. */
const createOnce = idempotentCreate<CustomerCreate, Awaited<ReturnType<typeof customers.create>>>(
  'customers-create',
  (partnerId, body) => customers.create(partnerId, body),
);

export async function main(event: APIGatewayProxyEvent, context: Context) {
  const partnerId = partnerIdOf(event);
  const input = parseJsonBody(event, CustomerCreateSchema);
  const customer = await createOnce(event, context, partnerId, input);
  return json(201, customer, { location: `/v1/customers/${customer.id}` });
}

export const handler = apiHandler(main);

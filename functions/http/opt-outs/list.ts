import type { APIGatewayProxyEvent } from 'aws-lambda';
import { OptOutsQuerySchema } from '../../../shared/domain/consent';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf, pathParam } from '../../../shared/http/request';
import { consent } from '../../../shared/wiring/consent';

/** GET /v1/customers/{id}/opt-outs — contacts opted out now (of any channel, or `channel`), newest first, cursor-paged. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const { limit, cursor, channel } = parseQuery(event, OptOutsQuerySchema);
  return json(200, await consent.listOptOuts(partnerId, pathParam(event, 'id'), { limit, ...(cursor ? { after: cursor } : {}), ...(channel ? { channel } : {}) }));
}

export const handler = apiHandler(main);

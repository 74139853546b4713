import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, parseQuery, partnerIdOf } from '../../../shared/http/request';
import { EventsQuerySchema } from '../../../shared/domain/partner-event';
import { partnerEvents } from '../../../shared/wiring/partner-events';

/** GET /v1/events?after=<cursor> — the partner's events, oldest first, never skipping one; page with `nextCursor`, poll later with `pollCursor`. */
export async function main(event: APIGatewayProxyEvent) {
  const partnerId = partnerIdOf(event);
  const { after, limit } = parseQuery(event, EventsQuerySchema);
  return json(200, await partnerEvents.list(partnerId, after, limit));
}

export const handler = apiHandler(main);

import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { SubaccountStatus } from '../../../shared/domain/subaccount';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { subaccounts } from '../../../shared/wiring/subaccounts';

/** The suspend / reactivate / close endpoints differ only in the target status. */
export function statusChangeEndpoint(target: SubaccountStatus) {
  const main = async (event: APIGatewayProxyEvent) => {
    requireEmptyBody(event);
    return json(200, await subaccounts.setStatus(partnerIdOf(event), pathParam(event, 'id'), target));
  };
  return { main, handler: apiHandler(main) };
}

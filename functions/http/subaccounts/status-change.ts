import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { SubaccountStatus } from '../../../shared/domain/subaccount';
import type { SubaccountService } from '../../../shared/services/subaccounts';
import { apiHandler } from '../../../shared/http/api-handler';
import { json, partnerIdOf, pathParam, requireEmptyBody } from '../../../shared/http/request';
import { subaccounts } from '../../../shared/wiring/subaccounts';

/** The suspend / reactivate / close endpoints differ only in the target status. */
export function statusChangeEndpoint(target: SubaccountStatus, service: Pick<SubaccountService, 'setStatus'> = subaccounts) {
  const main = async (event: APIGatewayProxyEvent) => {
    requireEmptyBody(event);
    return json(200, await service.setStatus(partnerIdOf(event), pathParam(event, 'id'), target));
  };
  return { main, handler: apiHandler(main) };
}

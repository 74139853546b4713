import type { APIGatewayProxyEvent } from 'aws-lambda';
import { matchPath, methodsByPath } from '../../infra/catalog';
import { MethodNotAllowedError, NotFoundError } from '../../shared/domain/errors';
import { apiHandler } from '../../shared/http/api-handler';

const ROUTES = methodsByPath();

/**
 * Every resource's undefined methods and the catch-all `{proxy+}` land here, so partners get a
 * problem+json 404 or 405 (with `Allow`) instead of API Gateway's "Missing Authentication Token".
 */
export async function main(event: APIGatewayProxyEvent): Promise<never> {
  for (const [template, methods] of ROUTES) {
    // The route's template, not the path: a path may carry a secret (a portal link's token, which a
    // link scanner's HEAD brings here unspent), and the refusal is logged.
    if (matchPath(template, event.path)) throw new MethodNotAllowedError(`${event.httpMethod} is not allowed on ${template}`, methods);
  }
  throw new NotFoundError(`No route ${withoutLinkTokens(event.path)}`);
}

/** A path as it may be logged: a portal link's token masked (an unknown path below /portal/link/ may still hold one). */
export const withoutLinkTokens = (path: string) => path.replace(/^(\/portal\/link\/)[^/]+/, '$1{token}');

export const handler = apiHandler(main);

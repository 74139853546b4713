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
    if (matchPath(template, event.path)) {
      throw new MethodNotAllowedError(`${event.httpMethod} is not allowed on ${event.path}`, methods);
    }
  }
  throw new NotFoundError(`No route ${event.path}`);
}

export const handler = apiHandler(main);

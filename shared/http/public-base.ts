import type { APIGatewayProxyEvent } from 'aws-lambda';
import { headerValues } from '../domain/portal-session';

/** Whether the request reached the gateway over https (API Gateway and the local platform set X-Forwarded-Proto). */
export function cameOverHttps(event: APIGatewayProxyEvent): boolean {
  const proto = headerValues(event, 'x-forwarded-proto');
  return proto.length === 1 && proto[0]!.trim().toLowerCase() === 'https';
}

/**
 * The public base of the API as the caller reached it: scheme, the gateway's domain name and, on
 * API Gateway's own domain (`*.execute-api.*`), the stage (catalog paths carry their own `/v1`). The local
 * platform serves the portal on the same origin, so its links are built on it; deployed, links are
 * built on the portal distribution's URL instead (`portal-link-base.ts`).
 */
export function publicBaseOf(event: APIGatewayProxyEvent): string {
  const domain = event.requestContext.domainName ?? headerValues(event, 'host')[0] ?? 'localhost';
  // Only API Gateway's own domain carries the stage in the path; the local platform serves at the root.
  const stagePrefix = /\.execute-api\./.test(domain) && event.requestContext.stage ? `/${event.requestContext.stage}` : '';
  return `${cameOverHttps(event) ? 'https' : 'http'}://${domain}${stagePrefix}`;
}

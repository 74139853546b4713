import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { config } from '../../shared/config';
import { PartnerSuspendedError, UnauthorizedError } from '../../shared/domain/errors';
import { logger, metrics } from '../../shared/observability';
import { headerValues, presentedSessionSecret } from '../../shared/domain/portal-session';
import { partners } from '../../shared/wiring/partners';
import { portalSessions } from '../../shared/wiring/portal-sessions';
import { cachedKeyDecisions } from './key-cache';

/** RFC 6750 §2.1: the scheme (any case), one space, a b64token. */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The key of `Authorization: Bearer <key>`; header names arrive in any case. A request carrying
 * the header twice presents no key: which one would count is a guess an attacker could steer.
 */
export function presentedKey(event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders'>): string | undefined {
  const values: string[] = [];
  const source = event.multiValueHeaders ?? Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name, value === undefined ? [] : [value]]));
  for (const [name, list] of Object.entries(source ?? {})) if (name.toLowerCase() === 'authorization') values.push(...(list ?? []));
  if (values.length !== 1) return undefined;
  return BEARER.exec(values[0]!.trim())?.[1];
}

/** The 60 s per-key cache API Gateway no longer keeps (see key-cache.ts); sessions are never cached. */
const authenticateKey = cachedKeyDecisions((key) => partners.authenticate(key), config.AUTHORIZER_KEY_CACHE_SECONDS);

/** Allows every route of this stage: the decision is cached per key, not per route. */
function stageWildcard(methodArn: string): string {
  const [arnPrefix, apiId, stage] = methodArn.split('/');
  return `${arnPrefix}/${apiId}/${stage}/*/*`;
}

/**
 * API-key authorizer. A valid, active key of an active partner is allowed with the partner id in
 * the context (handlers scope every query by it) and as the usage-plan identifier, so API Gateway
 * throttles each partner separately. A valid key of a suspended partner is denied: API Gateway
 * answers its ACCESS_DENIED response, the 403 `partner-suspended` problem (the only Deny this
 * authorizer gives). Anything else: 401 (thrown "Unauthorized").
 */
export async function main(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    // No Authorization header but a portal cookie: a browser session (the API key wins when both come).
    if (headerValues(event, 'authorization').length === 0) {
      const secret = presentedSessionSecret(headerValues(event, 'cookie'));
      if (secret !== undefined) return await sessionAllowed(event, secret);
    }
    const { partnerId, keyId } = await authenticateKey(presentedKey(event));
    metrics.addMetric('ApiKeyAccepted', MetricUnit.Count, 1);
    return {
      principalId: partnerId,
      usageIdentifierKey: partnerId,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
      },
      context: { partnerId, keyId },
    };
  } catch (error) {
    if (error instanceof PartnerSuspendedError) {
      metrics.addMetric('ApiKeyOfSuspendedPartner', MetricUnit.Count, 1);
      return {
        principalId: 'suspended-partner',
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: stageWildcard(event.methodArn) }] },
      };
    }
    if (error instanceof UnauthorizedError) {
      metrics.addMetric('ApiKeyRejected', MetricUnit.Count, 1);
      throw new Error('Unauthorized');
    }
    logger.error('Authorizer failed', error as Error);
    throw error;
  }
}

/**
 * A portal session: the partner, scope and customer go into the context, where the API
 * middleware confines the request to them and asks for the CSRF header on every change.
 */
async function sessionAllowed(event: APIGatewayRequestAuthorizerEvent, secret: string): Promise<APIGatewayAuthorizerResult> {
  const session = await portalSessions.authenticate(secret);
  metrics.addMetric('PortalSessionAccepted', MetricUnit.Count, 1);
  return {
    principalId: session.partnerId,
    usageIdentifierKey: session.partnerId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
    },
    context: { partnerId: session.partnerId, portalSessionId: session.sessionId, portalScope: session.scope, portalCustomerId: session.customerId ?? '' },
  };
}

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));

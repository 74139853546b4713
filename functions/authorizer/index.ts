import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { UnauthorizedError } from '../../shared/domain/errors';
import { logger, metrics } from '../../shared/observability';
import { partners } from '../../shared/wiring/partners';

/** Reads `Authorization: Bearer <key>`; header names arrive in any case. */
function presentedKey(event: APIGatewayRequestAuthorizerEvent): string | undefined {
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && value) {
      const match = /^Bearer\s+(\S+)$/i.exec(value.trim());
      return match?.[1];
    }
  }
  return undefined;
}

/** Allows every route of this stage: the decision is cached per key, not per route. */
function stageWildcard(methodArn: string): string {
  const [arnPrefix, apiId, stage] = methodArn.split('/');
  return `${arnPrefix}/${apiId}/${stage}/*/*`;
}

/**
 * API-key authorizer. A valid, active key of an active partner is allowed with the partner id in
 * the context (handlers scope every query by it) and as the usage-plan identifier, so API Gateway
 * throttles each partner separately. Anything else: 401 (thrown "Unauthorized", never a Deny,
 * which API Gateway would answer with 403).
 */
export async function main(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  try {
    const { partnerId, keyId } = await partners.authenticate(presentedKey(event));
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
    if (error instanceof UnauthorizedError) {
      metrics.addMetric('ApiKeyRejected', MetricUnit.Count, 1);
      throw new Error('Unauthorized');
    }
    logger.error('Authorizer failed', error as Error);
    throw error;
  }
}

export const handler = middy(main).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));

import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AppError } from '../domain/errors';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics, tracer } from '../observability';
import { enforcePortalSession } from './portal-guard';
import { problemFor } from './problem';
import { TwilioPermanentError } from '../twilio/errors';

export type ApiFunction = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/**
 * The one middy stack of every API handler: structured logs with the request id as correlation
 * id, cold-start and error metrics, tracing, and typed errors → problem+json. Client mistakes
 * (AppError) are logged at info without a stack; anything else is a bug, logged in full and
 * answered with a bare 500.
 */
export function apiHandler(fn: ApiFunction) {
  const handler = middy(fn);
  if (tracer) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return handler
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use({
      // The API Gateway request id is the correlation id, read directly rather than through a
      // JMESPath search, which costs more per request than a GET's own work; reset with the keys.
      before: async (request) => {
        const requestId = (request.event as APIGatewayProxyEvent)?.requestContext?.requestId;
        if (requestId) logger.setCorrelationId(requestId);
        enforcePortalSession(request.event as APIGatewayProxyEvent);
      },
      // One count per response by status class: the 4xx/5xx ratios alarms and dashboards need.
      after: async (request) => {
        const status = (request.response as APIGatewayProxyResult | undefined)?.statusCode ?? 500;
        metrics.addMetric(`Responses${Math.floor(status / 100)}xx`, MetricUnit.Count, 1);
      },
      onError: async (request) => {
        const event = request.event as APIGatewayProxyEvent;
        const instance = event?.requestContext?.requestId;
        const error = request.error;
        if (error instanceof AppError) {
          logger.info('Request refused', { status: error.status, type: error.type, detail: error.message });
        } else if (error instanceof TwilioPermanentError && error.status !== 401 && error.status !== 403) {
          // Twilio refusing what the caller gave it (a wrong verification code, a number it will
          // not sell) is the caller's 422, not a platform fault: a warning, not an alarm.
          logger.warn('Twilio refused the request', { twilio: error.toJSON() });
        } else {
          logger.error('Unhandled error', request.error as Error);
          metrics.addMetric('UnhandledError', MetricUnit.Count, 1);
        }
        request.response = problemFor(request.error, instance);
        metrics.addMetric(`Responses${Math.floor(request.response.statusCode / 100)}xx`, MetricUnit.Count, 1);
      },
    });
}

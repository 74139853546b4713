import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { ConflictError, IdempotencyKeyReusedError, ValidationError } from '../domain/errors';
import { createIdempotencyStore } from '../store/idempotency-store';
import { optionalHeader } from './request';

/** Replays answer with the first result for a day, like most payment-grade APIs. */
const REPLAY_WINDOW_SECONDS = 24 * 60 * 60;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key`, if it sent one; a malformed key is a 400 naming the header. */
export function idempotencyKeyOf(event: APIGatewayProxyEvent): string | undefined {
  const key = optionalHeader(event, 'idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationError('Idempotency-Key is not valid', [{ field: 'header.Idempotency-Key', message: 'must be 1–255 printable ASCII characters' }]);
  }
  return key;
}

interface Command<B> {
  partnerId: string;
  idempotencyKey: string;
  body: B;
}

/**
 * Wraps a create command so that the same `Idempotency-Key` (per partner) with the same body
 * returns the first result, and with a different body fails with 422. Requests without the
 * header run normally.
 */
export function idempotentCreate<B, R>(operation: string, run: (partnerId: string, body: B) => Promise<R>) {
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: '[partnerId, idempotencyKey]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: REPLAY_WINDOW_SECONDS,
  });
  const once = makeIdempotent(async (command: Command<B>) => run(command.partnerId, command.body), {
    persistenceStore: createIdempotencyStore(),
    config: idempotencyConfig,
    keyPrefix: operation,
  });

  return async (event: APIGatewayProxyEvent, context: Context, partnerId: string, body: B): Promise<R> => {
    const idempotencyKey = idempotencyKeyOf(event);
    if (idempotencyKey === undefined) return run(partnerId, body);
    // Lets an in-progress record expire with this invocation, so a crash does not block retries for a day.
    idempotencyConfig.registerLambdaContext(context);
    try {
      return await once({ partnerId, idempotencyKey, body });
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different body; use a new key for a new request');
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new ConflictError('A request with this Idempotency-Key is still in progress; retry shortly');
      }
      throw error;
    }
  };
}

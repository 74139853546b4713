import { Logger } from '@aws-lambda-powertools/logger';
import { search } from '@aws-lambda-powertools/logger/correlationId';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Powertools singletons, created once per cold start. Service name, namespace, log level and
 * sampling come from the standard POWERTOOLS_* variables that the Lambda construct (or the local
 * platform) sets; Powertools reads them itself.
 *
 * Secrets are never passed to the logger by design (tokens live only inside the key service and
 * the Twilio gateway). The redaction below is defence in depth: any attribute whose name looks
 * like a secret is masked before the line is written.
 */
const SECRET_KEYS = /^(auth_?token|authtoken|token|secret|password|api_?key|apikey|authorization|ciphertext|x-api-key|x-twilio-signature)$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEYS.test(k) ? '[REDACTED]' : redact(v, depth + 1);
  }
  return out;
}

export const logger = new Logger({
  // Resolves `correlationIdPath` (the API Gateway request id) in the middy stack.
  correlationIdSearchFn: search,
  jsonReplacerFn: (key: string, value: unknown) => (SECRET_KEYS.test(key) ? '[REDACTED]' : redact(value)),
});

export const metrics = new Metrics({ defaultDimensions: {} });

export const tracer = new Tracer();

export { redact };

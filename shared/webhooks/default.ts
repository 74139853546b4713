import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { config, required } from '../config';
import { createKeyService, createTokenCache } from '../crypto';
import { queue } from '../queue/default';
import { getSubaccount } from '../store/subaccounts';
import { dynamoWebhookRefusalStore } from '../store/webhook-refusals';
import type { WebhookKind } from './envelope';
import { createReceiver } from './receiver';
import { createRefusalRecorder } from './refusals';
import { webhookBaseUrl } from './base-url';
import { WEBHOOK_ROUTES, webhookUrl } from './routes';
import { createTenantCache } from './tenants';

/*
 * Composition of the receivers. Deliberately lean: receivers are the one place where every
 * millisecond of cold start and every kilobyte of bundle shows up in Twilio's 15 s (5 s for Event
 * Streams) budget, so they build their own clients here without the X-Ray SDK (the tracer adds
 * ~125 KB and traces nothing a function URL's own metrics do not show) and never load `twilio`.
 * Clients exist once per cold start; nothing is built per request.
 */
const documentClient = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  }),
);

const keys =
  config.KEY_SERVICE === 'kms'
    ? createKeyService({ kind: 'kms', client: new KMSClient({ region: config.AWS_REGION }), keyId: required('KMS_KEY_ID') })
    : createKeyService({ kind: 'local', masterKey: required('LOCAL_MASTER_KEY') });

const tokens = createTokenCache({ keys, ttlSeconds: config.TOKEN_CACHE_TTL_SECONDS });
const previousTokens = createTokenCache({ keys, ttlSeconds: config.TOKEN_CACHE_TTL_SECONDS });
const tenants = createTenantCache({
  ttlSeconds: config.TOKEN_CACHE_TTL_SECONDS,
  async lookup(accountSid) {
    const record = await getSubaccount(documentClient, config.TABLE_NAME, accountSid);
    // A closed subaccount no longer sends anything genuine; its row stays for history only.
    if (!record || record.status === 'closed') return undefined;
    return {
      accountSid: record.accountSid,
      partnerId: record.partnerId,
      customerId: record.customerId,
      encryptedAuthToken: record.encryptedAuthToken,
      ...(record.previousEncryptedAuthToken !== undefined ? { previousEncryptedAuthToken: record.previousEncryptedAuthToken } : {}),
      ...(record.previousTokenValidUntil !== undefined ? { previousValidUntil: Date.parse(record.previousTokenValidUntil) } : {}),
    };
  },
});

const logger = new Logger();
const metrics = new Metrics();
const refusals = dynamoWebhookRefusalStore(documentClient, config.TABLE_NAME);

/** The handler of one receiver, wired to the platform's store, key service and queues. */
export function receiverFor(kind: WebhookKind) {
  const route = WEBHOOK_ROUTES[kind];
  return createReceiver({
    kind,
    format: route.format,
    url: async () => webhookUrl(await webhookBaseUrl(), kind),
    queueName: route.queue,
    queue,
    tenants,
    tokens,
    previousTokens,
    rejected(reason) {
      const metric = metrics.singleMetric();
      metric.addDimensions({ webhook: kind, reason });
      metric.addMetric('WebhookRejected', MetricUnit.Count, 1);
    },
    refused: createRefusalRecorder({
      store: refusals,
      kind,
      failed(error) {
        logger.warn(`Webhook ${kind}: the refusal could not be recorded for its partner`, { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      },
    }),
    failed(stage, error) {
      // Only the error's name and message: the payload may hold message bodies, and nothing here holds secrets.
      logger.error(`Webhook ${kind}: ${stage} failed; answering 500 so Twilio can retry`, { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    },
  });
}

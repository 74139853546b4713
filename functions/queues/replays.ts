import type { ReplayTask } from '../../shared/partner-webhooks/contract';
import { taskConsumer } from '../../shared/partner-webhooks/consumer';
import { logger } from '../../shared/observability';
import { replay } from '../../shared/wiring/webhook-delivery';

/** One step of a replay of a partner's log to one endpoint (a page of events, in order), then the next step. */
export const handler = taskConsumer({
  queue: 'partner-replays',
  metricPrefix: 'WebhookReplay',
  parse: (body) => JSON.parse(body) as ReplayTask,
  run: async (task) => {
    const { sent, done } = await replay(task);
    if (done) logger.info('Replay finished', { partnerId: task.partnerId, endpointId: task.endpointId, replayId: task.replayId, sent });
    return done ? 'finished' : 'step';
  },
});

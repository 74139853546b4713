import type { StepContext, StepModule } from './context';
import { webhookUrl } from './context';
import type { StepOutcome } from './contract';

/**
 * One messaging service per customer, created fresh for A2P. The service's inbound URL wins over
 * the number's (UseInboundWebhookOnNumber=false), so every number bought later routes the same way.
 */
async function ensure(ctx: StepContext): Promise<StepOutcome> {
  const stored = ctx.record.sids.messagingServiceSid;
  if (stored) return { status: 'succeeded', sids: { messagingServiceSid: stored } };
  const service = await ctx.deps.twilio.createMessagingService(await ctx.creds(), {
    friendlyName: `switchboard:${ctx.input.customerId}`,
    inboundRequestUrl: await webhookUrl(ctx.deps.settings, 'inbound'),
    statusCallback: await webhookUrl(ctx.deps.settings, 'status'),
    useInboundWebhookOnNumber: false,
  });
  await ctx.saveSids({ messagingServiceSid: service.sid });
  return { status: 'succeeded', sids: { messagingServiceSid: service.sid } };
}

async function check(ctx: StepContext): Promise<StepOutcome> {
  const stored = ctx.record.sids.messagingServiceSid;
  if (!stored) return { status: 'failed', errors: [{ code: 'not-started', message: 'No messaging service yet', fields: [] }], sids: {} };
  await ctx.deps.twilio.fetchMessagingService(await ctx.creds(), stored);
  return { status: 'succeeded', sids: { messagingServiceSid: stored } };
}

export const messagingServiceStep: StepModule = { run: ensure, check };

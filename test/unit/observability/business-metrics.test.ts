import { BUSINESS_METRICS, businessMetricsOf } from '../../../shared/observability/business-metrics';
import type { PartnerEventInput } from '../../../shared/services/partner-events-contract';

const event = (type: string, data: Record<string, unknown>): PartnerEventInput => ({ type, customerId: 'cus_1', data }) as unknown as PartnerEventInput;

describe('business metrics from partner events', () => {
  it('counts sends per channel with their segments, and sums a batch into one point per metric and dimensions', () => {
    const points = businessMetricsOf([
      event('message.created', { channel: 'sms', segments: 2 }),
      event('message.created', { channel: 'sms', segments: 1 }),
      event('message.created', { channel: 'whatsapp', segments: 0 }),
    ]);
    expect(points).toEqual([
      { name: BUSINESS_METRICS.messagesSent, unit: 'Count', value: 2, dimensions: { Channel: 'sms' } },
      { name: BUSINESS_METRICS.messageSegments, unit: 'Count', value: 3, dimensions: { Channel: 'sms' } },
      { name: BUSINESS_METRICS.messagesSent, unit: 'Count', value: 1, dimensions: { Channel: 'whatsapp' } },
    ]);
  });

  it('counts delivered and failed by error code, and nothing for the statuses in between', () => {
    const points = businessMetricsOf([
      event('message.status.updated', { status: 'sent' }),
      event('message.status.updated', { status: 'delivered' }),
      event('message.status.updated', { status: 'undelivered', errorCode: 30007 }),
      event('message.status.updated', { status: 'failed', errorCode: 30007 }),
      event('message.status.updated', { status: 'failed', errorCode: 63016 }),
    ]);
    expect(points).toEqual([
      { name: 'MessagesDelivered', unit: 'Count', value: 1, dimensions: {} },
      { name: 'MessagesFailed', unit: 'Count', value: 2, dimensions: { ErrorCode: '30007' } },
      { name: 'MessagesFailed', unit: 'Count', value: 1, dimensions: { ErrorCode: '63016' } },
    ]);
  });

  it('counts inbound messages, opt-outs and opt-ins per channel', () => {
    expect(businessMetricsOf([event('message.received', { channel: 'whatsapp' }), event('contact.opted_out', { channel: 'sms' }), event('contact.opted_in', { channel: 'whatsapp' })])).toEqual([
      { name: 'MessagesReceived', unit: 'Count', value: 1, dimensions: { Channel: 'whatsapp' } },
      { name: 'OptOuts', unit: 'Count', value: 1, dimensions: { Channel: 'sms' } },
      { name: 'OptIns', unit: 'Count', value: 1, dimensions: { Channel: 'whatsapp' } },
    ]);
  });

  it("times each onboarding step that ended, and counts failures by step and Twilio's error", () => {
    const points = businessMetricsOf([
      event('onboarding.step.updated', { step: 'brand', status: 'waiting', startedAt: '2026-01-01T00:00:00Z' }),
      event('onboarding.step.updated', { step: 'brand', status: 'succeeded', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:02:30Z' }),
      event('onboarding.step.updated', { step: 'campaign', status: 'failed', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:00:10Z', errors: [{ code: 30893 }] }),
      event('onboarding.failed', { failedStep: 'campaign' }),
      event('onboarding.completed', {}),
    ]);
    expect(points).toEqual([
      { name: 'OnboardingStepsFailed', unit: 'Count', value: 1, dimensions: { Step: 'campaign', ErrorCode: '30893' } },
      { name: 'OnboardingsFailed', unit: 'Count', value: 1, dimensions: { Step: 'campaign' } },
      { name: 'OnboardingsCompleted', unit: 'Count', value: 1, dimensions: {} },
      { name: 'OnboardingStepSeconds', unit: 'Seconds', value: 150, dimensions: { Step: 'brand' } },
      { name: 'OnboardingStepSeconds', unit: 'Seconds', value: 10, dimensions: { Step: 'campaign' } },
    ]);
  });

  it('never takes a customer or partner id as a dimension, and ignores events that are not business facts', () => {
    const points = businessMetricsOf([event('subaccount.closed', { accountSid: 'AC1' }), event('number.updated', { status: 'released' }), event('message.created', { channel: 'sms', segments: 1 })]);
    expect(points.map((p) => p.name)).toEqual(['MessagesSent', 'MessageSegments']);
    for (const p of points) expect(Object.keys(p.dimensions)).not.toEqual(expect.arrayContaining(['CustomerId', 'PartnerId']));
  });
});

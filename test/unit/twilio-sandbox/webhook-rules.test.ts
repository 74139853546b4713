import { RuleBook } from '../../../infra/local/twilio-sandbox/core/rules';

/** Webhook scenario rules: which delivery a drop or duplicate rule applies to, and how often. */
describe('sandbox webhook rules', () => {
  const BRAND = 'BN' + 'a'.repeat(32);
  const OTHER = 'BN' + 'b'.repeat(32);
  const body = (sid: string) => JSON.stringify([{ type: 'com.twilio.messaging.compliance.brand-registration.brand-registered', data: { brandsid: sid } }]);

  it('narrows a drop to deliveries whose body names the resource, leaving the others alone', () => {
    const rules = new RuleBook();
    rules.add({ type: 'webhook', action: 'drop', kind: 'event-stream', bodyContains: BRAND, times: 1 });
    expect(rules.webhookAction('event-stream', 'https://hooks.example/events', body(OTHER))).toBeUndefined();
    expect(rules.webhookAction('status-callback', 'https://hooks.example/status', body(BRAND))).toBeUndefined();
    expect(rules.webhookAction('event-stream', 'https://hooks.example/events', body(BRAND))).toBe('drop');
    // Spent after one drop.
    expect(rules.webhookAction('event-stream', 'https://hooks.example/events', body(BRAND))).toBeUndefined();
    expect(rules.list()).toEqual([]);
  });

  it('without bodyContains applies to every delivery of the kind, as before', () => {
    const rules = new RuleBook();
    rules.add({ type: 'webhook', action: 'duplicate', kind: 'event-stream' });
    expect(rules.webhookAction('event-stream', 'https://hooks.example/events', body(OTHER))).toBe('duplicate');
    expect(rules.webhookAction('event-stream', 'https://hooks.example/events')).toBe('duplicate');
  });
});

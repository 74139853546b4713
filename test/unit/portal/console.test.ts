import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRoutes } from '../../../infra/catalog';
import { PROJECT_ROOT } from '../../../infra/local/platform';
import { PARTNER_EVENT_TYPES } from '../../../shared/domain/event-types';
import { portalScopeDecision } from '../../../shared/domain/portal-session';

describe('partner console', () => {
  it("offers exactly the event types the API accepts for an endpoint (the portal cannot import the API's schemas)", () => {
    const source = readFileSync(join(PROJECT_ROOT, 'portal/src/pages/webhooks.tsx'), 'utf8');
    const literal = /export const EVENT_TYPES = \[([^\]]*)\]/.exec(source)?.[1];
    expect(literal).toBeDefined();
    const offered = [...literal!.matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(offered).toEqual(PARTNER_EVENT_TYPES);
  });

  it.each(['GET /v1/status', 'GET /v1/webhook-endpoints', 'POST /v1/webhook-endpoints', 'GET /v1/webhook-endpoints/{endpointId}/deliveries', 'POST /v1/events/{eventId}/redeliver'])(
    '%s: a customer session meets the 404, a partner session passes',
    (key) => {
      const route = apiRoutes().find((r) => `${r.trigger.method} ${r.trigger.path}` === key);
      expect(route).toBeDefined();
      const at = { resource: route!.trigger.path, method: route!.trigger.method, pathParameters: { endpointId: 'we_1', eventId: 'evt_0_1' } };
      expect(portalScopeDecision({ scope: 'customer', customerId: 'cus_1' }, at)).toBe('not-found');
      expect(portalScopeDecision({ scope: 'partner' }, at)).toBe('allow');
    },
  );
});

import { config } from '../config';
import { portalSessionService } from '../services/portal-sessions';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoPortalSessionRepository } from '../store/portal-sessions';
import { customers } from './customers';
import { partners } from './partners';

/** Default wiring of portal links and sessions (routes, authorizer, operator CLI); tests build their own. */
export const portalSessions = portalSessionService({
  sessions: dynamoPortalSessionRepository(documentClient, tableName),
  customers,
  partners,
  clock: systemClock,
  ids: ulidIds,
  allowLoopback: config.PARTNER_WEBHOOKS_ALLOW_LOOPBACK,
});

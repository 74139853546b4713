import { partnerEventService } from '../services/partner-events';
import { systemClock } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoPartnerEventRepository } from '../store/partner-events';

/** Default wiring of the partner event log. */
export const partnerEvents = partnerEventService({
  events: dynamoPartnerEventRepository(documentClient, tableName),
  clock: systemClock,
});

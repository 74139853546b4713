import { config } from '../config';
import { partnerService } from '../services/partners';
import { systemClock, ulidIds } from '../services/support';
import { documentClient, tableName } from '../store/client';
import { dynamoPartnerRepository } from '../store/partners';

/** Default wiring of the partner service (authorizer, operator CLI); tests build their own. */
export const partners = partnerService({
  partners: dynamoPartnerRepository(documentClient, tableName),
  clock: systemClock,
  ids: ulidIds,
  keyPrefix: config.API_KEY_PREFIX,
});

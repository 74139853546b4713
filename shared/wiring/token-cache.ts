import { config } from '../config';
import { createTokenCache } from '../crypto';
import { keyService } from './keys';

/** One cache of decrypted subaccount tokens per warm function instance. */
export const tokenCache = createTokenCache({ keys: keyService, ttlSeconds: config.TOKEN_CACHE_TTL_SECONDS });

import type { KMSClient } from '@aws-sdk/client-kms';
import { createKmsKeyService } from './kms-key-service';
import type { KeyService } from './key-service';
import { createLocalKeyService } from './local-key-service';

export { canonicalContext, DecryptionError, KeyServiceUnavailableError, type EncryptionContext, type KeyService, type TokenContext } from './key-service';
export type { WebhookSecretContext } from '../partner-webhooks/contract';
export { createKmsKeyService, type KmsKeyServiceOptions } from './kms-key-service';
export { createLocalKeyService, type LocalKeyServiceOptions } from './local-key-service';
export { createTokenCache, type TokenCache, type TokenCacheOptions } from './token-cache';

export type KeyServiceOptions =
  | { readonly kind: 'kms'; readonly client: Pick<KMSClient, 'send'>; readonly keyId: string }
  | { readonly kind: 'local'; readonly masterKey: string };

/** Picks the adapter named by configuration (`KEY_SERVICE`); the composition module passes the values in. */
export function createKeyService(options: KeyServiceOptions): KeyService {
  return options.kind === 'kms' ? createKmsKeyService(options) : createLocalKeyService(options);
}

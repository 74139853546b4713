import { KMSClient } from '@aws-sdk/client-kms';
import { config, required } from '../config';
import { createKeyService, type KeyService } from '../crypto';
import { traced } from '../observability';

/** KMS in AWS; AES-256-GCM with a local master key on the local platform (same context semantics). */
export const keyService: KeyService =
  config.KEY_SERVICE === 'kms'
    ? createKeyService({ kind: 'kms', client: traced(new KMSClient({ region: config.AWS_REGION })), keyId: required('KMS_KEY_ID') })
    : createKeyService({ kind: 'local', masterKey: required('LOCAL_MASTER_KEY') });

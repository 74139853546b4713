import {
  DecryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { DATA_KEY_LENGTH, open, parse, Scheme, seal } from './envelope';
import { contextEntries, DecryptionError, KeyServiceUnavailableError, type KeyService } from './key-service';

export interface KmsKeyServiceOptions {
  /** Created once per cold start by the clients module and shared; never built per call. */
  readonly client: Pick<KMSClient, 'send'>;
  /** Key id, ARN or alias of the symmetric KMS key that wraps the data keys. */
  readonly keyId: string;
}

function providerCode(error: unknown): string {
  return error instanceof Error && error.name ? error.name : 'UnknownError';
}

/**
 * Envelope encryption: one fresh data key per token from `GenerateDataKey`, used locally for AES-256-GCM
 * and stored only in its KMS-wrapped form. The encryption context is sent on both calls, so KMS itself
 * refuses to unwrap the key for another tenant; it is also the GCM additional data, so a blob re-wrapped
 * by anyone holding the KMS key still cannot be moved between tenants.
 */
export function createKmsKeyService({ client, keyId }: KmsKeyServiceOptions): KeyService {
  return {
    async encrypt(plaintext, context) {
      const EncryptionContext = contextEntries(context);
      let output;
      try {
        output = await client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext }));
      } catch (error) {
        throw new KeyServiceUnavailableError(providerCode(error), { cause: error });
      }
      const dataKey = output.Plaintext;
      try {
        if (!dataKey || dataKey.length !== DATA_KEY_LENGTH || !output.CiphertextBlob?.length) {
          throw new KeyServiceUnavailableError('MalformedGenerateDataKeyResponse');
        }
        return seal(dataKey, Scheme.Kms, output.CiphertextBlob, plaintext, context);
      } finally {
        dataKey?.fill(0);
      }
    },

    async decrypt(ciphertext, context) {
      const EncryptionContext = contextEntries(context);
      const envelope = parse(ciphertext, Scheme.Kms);
      let output;
      try {
        // KeyId pins the key we expect, so a blob naming some other key is refused rather than tried.
        output = await client.send(new DecryptCommand({ CiphertextBlob: envelope.wrappedKey, EncryptionContext, KeyId: keyId }));
      } catch (error) {
        // KMS answers a context mismatch or a foreign/altered wrapped key with these two; nothing else is the blob's fault.
        if (error instanceof InvalidCiphertextException || error instanceof IncorrectKeyException) throw new DecryptionError();
        throw new KeyServiceUnavailableError(providerCode(error), { cause: error });
      }
      const dataKey = output.Plaintext;
      try {
        if (!dataKey || dataKey.length !== DATA_KEY_LENGTH) throw new DecryptionError();
        return open(dataKey, envelope, context);
      } finally {
        dataKey?.fill(0);
      }
    },
  };
}

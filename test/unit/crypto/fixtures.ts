import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import type { TokenContext, WebhookSecretContext } from '../../../shared/crypto';

export const KEY_ID = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export const context: TokenContext = {
  partnerId: 'prt_01HZX4K2M9',
  customerId: 'cus_01HZX4K9QW',
  accountSid: 'AC0123456789abcdef0123456789abcdef',
};

export const secretContext: WebhookSecretContext = {
  purpose: 'partner-webhook-secret',
  partnerId: context.partnerId,
  webhookEndpointId: 'we_01HZX5B7T3',
};

/** A realistic 32-hex-character Twilio auth token. */
export const token = 'f3c9a1d27b4e8c6a0d5b9e2f1a7c3d84';

export function invalidCiphertext(): InvalidCiphertextException {
  return new InvalidCiphertextException({ message: 'InvalidCiphertextException', $metadata: {} });
}

/** KMS throttling arrives as a generic service exception named ThrottlingException. */
export function throttled(): KMSServiceException {
  return new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} });
}

/**
 * KMS as far as envelope encryption sees it: GenerateDataKey returns a fresh key plus an opaque wrapped
 * form, and Decrypt returns the key only for the same wrapped bytes, key id and encryption context.
 * Every plaintext key handed out is recorded so tests can check the adapter wiped it.
 */
export function fakeKms() {
  const client = new KMSClient({ region: 'us-east-1' });
  const kms = mockClient(client);
  const wrapped = new Map<string, { key: Buffer; context: string }>();
  const issuedKeys: Uint8Array[] = [];
  const issue = (key: Buffer) => {
    const copy = new Uint8Array(key);
    issuedKeys.push(copy);
    return copy;
  };

  kms.on(GenerateDataKeyCommand).callsFake((input) => {
    const key = randomBytes(32);
    const blob = randomBytes(184);
    wrapped.set(blob.toString('hex'), { key, context: JSON.stringify(input.EncryptionContext) });
    return { KeyId: KEY_ID, CiphertextBlob: new Uint8Array(blob), Plaintext: issue(key) };
  });
  kms.on(DecryptCommand).callsFake((input) => {
    const entry = wrapped.get(Buffer.from(input.CiphertextBlob).toString('hex'));
    if (!entry || input.KeyId !== KEY_ID || entry.context !== JSON.stringify(input.EncryptionContext)) throw invalidCiphertext();
    return { KeyId: KEY_ID, Plaintext: issue(entry.key) };
  });

  return { client, kms, issuedKeys, dataKeys: () => [...wrapped.values()].map((w) => w.key) };
}

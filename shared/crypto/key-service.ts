import type { WebhookSecretContext } from '../partner-webhooks/contract';
/**
 * Port for protecting Twilio subaccount auth tokens at rest.
 *
 * Every ciphertext is bound to the tenant it belongs to through an {@link EncryptionContext}: a blob
 * copied onto another customer's record (a BOLA bug, a bad migration, a confused deputy) cannot be
 * decrypted there, because decryption must be asked for with the same context. The KMS adapter gets
 * this from KMS itself; the local adapter reproduces it with AES-GCM additional authenticated data, so
 * code exercised locally fails in exactly the same way as in AWS.
 */
export interface TokenContext {
  readonly partnerId: string;
  readonly customerId: string;
  readonly accountSid: string;
}

/**
 * The two kinds of secret the key protects, each bound to its owner with its own set of context
 * keys: a subaccount token (partner, customer, account) and a partner webhook signing secret
 * (`purpose`, partner, endpoint). The key sets differ, so a blob of one kind never opens as the
 * other, and IAM grants each function only the key set it needs.
 */
export type EncryptionContext = TokenContext | WebhookSecretContext;

export interface KeyService {
  /** Returns an opaque, versioned, base64 blob that only {@link decrypt} with the same context can open. */
  encrypt(plaintext: string, context: EncryptionContext): Promise<string>;
  /** Rejects with {@link DecryptionError} when the blob is malformed, tampered with, or bound to another context. */
  decrypt(ciphertext: string, context: EncryptionContext): Promise<string>;
}

/**
 * The blob cannot be opened with this context. Deliberately carries no detail (no cause, no key id,
 * no fragment of the blob): the caller can do nothing different for "tampered" versus "wrong tenant",
 * and anything more would be one more place where secret material could reach a log line.
 */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';

  constructor() {
    super('The ciphertext cannot be decrypted with this encryption context');
  }
}

/**
 * The key provider could not be reached or refused the call for a reason unrelated to the blob
 * (throttling, network, IAM). Separate from {@link DecryptionError} because it is worth retrying and
 * must not be mistaken for a corrupted or foreign token. `code` is the provider's error name only.
 */
export class KeyServiceUnavailableError extends Error {
  override readonly name = 'KeyServiceUnavailableError';

  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`The key service is unavailable (${code})`, options);
  }
}

const TOKEN_FIELDS = ['accountSid', 'customerId', 'partnerId'] as const;
const WEBHOOK_SECRET_FIELDS = ['partnerId', 'purpose', 'webhookEndpointId'] as const;

/**
 * The context as the flat string map KMS expects. Only the three known fields are taken, in sorted
 * order, so a caller passing a richer object (an entity with extra properties) still gets the same
 * binding at encrypt and decrypt time.
 */
export function contextEntries(context: EncryptionContext): Record<string, string> {
  const out: Record<string, string> = {};
  const webhookSecret = (context as Partial<WebhookSecretContext>).purpose !== undefined;
  if (webhookSecret && (context as WebhookSecretContext).purpose !== 'partner-webhook-secret') throw new TypeError('EncryptionContext.purpose must be partner-webhook-secret');
  if (webhookSecret && ('accountSid' in context || 'customerId' in context)) throw new TypeError('An EncryptionContext is either a token context or a webhook secret context, not both');
  const fields = webhookSecret ? WEBHOOK_SECRET_FIELDS : TOKEN_FIELDS;
  for (const field of fields) {
    const value: unknown = (context as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError(`EncryptionContext.${field} must be a non-empty string`);
    }
    out[field] = value;
  }
  return out;
}

/** Sorted-keys JSON of the context: the exact bytes authenticated as AES-GCM additional data. */
export function canonicalContext(context: EncryptionContext): string {
  return JSON.stringify(contextEntries(context));
}

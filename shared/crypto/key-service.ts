import type { WebhookSecretContext } from '../partner-webhooks/contract';
/**
 * Port for protecting secrets at rest: Twilio subaccount auth tokens and partner webhook signing secrets.
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
const WEBHOOK_SECRET_PURPOSE: WebhookSecretContext['purpose'] = 'partner-webhook-secret';

/**
 * The keys bound for this context, told apart by the keys only one shape has. An object carrying
 * keys of both shapes is a caller bug (which binding did it mean?), refused rather than guessed.
 */
function fieldsOf(context: EncryptionContext): readonly string[] {
  const given = context as unknown as Record<string, unknown>;
  const secretKeys = given.purpose !== undefined || given.webhookEndpointId !== undefined;
  const tokenKeys = given.customerId !== undefined || given.accountSid !== undefined;
  if (secretKeys && tokenKeys) throw new TypeError('An EncryptionContext is either a token context or a webhook secret context, not both');
  if (secretKeys && given.purpose !== WEBHOOK_SECRET_PURPOSE) throw new TypeError(`EncryptionContext.purpose must be ${WEBHOOK_SECRET_PURPOSE}`);
  return secretKeys ? WEBHOOK_SECRET_FIELDS : TOKEN_FIELDS;
}

/**
 * The context as the flat string map KMS expects: exactly the keys of its shape, in sorted order,
 * so a caller passing a richer object (an entity with extra properties) still gets the same
 * binding at encrypt and decrypt time. A token context maps to exactly what it always did
 * (`accountSid`, `customerId`, `partnerId`), so stored tokens keep decrypting.
 */
export function contextEntries(context: EncryptionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const field of fieldsOf(context)) {
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

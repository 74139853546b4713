import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalContext, DecryptionError, type EncryptionContext } from './key-service';

/**
 * The stored blob, version 1 (base64 of):
 *
 *   version (1) | scheme (1) | wrapped key length (2, big-endian) | wrapped key | iv (12) | tag (16) | ciphertext
 *
 * `wrapped key` is the KMS-encrypted data key for the KMS scheme and empty for the local scheme. The
 * header bytes and the canonical encryption context together are the GCM additional data, so neither
 * the version, the scheme nor the wrapped key can be swapped without the tag failing, and a blob
 * written under one scheme is refused by the other adapter instead of being misread.
 */
export const Scheme = { Local: 1, Kms: 2 } as const;
export type Scheme = (typeof Scheme)[keyof typeof Scheme];

const VERSION = 1;
const HEADER_FIXED = 4;
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export interface Envelope {
  readonly header: Buffer;
  readonly wrappedKey: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

function header(scheme: Scheme, wrappedKey: Uint8Array): Buffer {
  if (wrappedKey.length > 0xffff) throw new RangeError('Wrapped data key is too long for the envelope');
  const out = Buffer.alloc(HEADER_FIXED + wrappedKey.length);
  out[0] = VERSION;
  out[1] = scheme;
  out.writeUInt16BE(wrappedKey.length, 2);
  out.set(wrappedKey, HEADER_FIXED);
  return out;
}

function additionalData(headerBytes: Buffer, context: EncryptionContext): Buffer {
  return Buffer.concat([headerBytes, Buffer.from(canonicalContext(context), 'utf8')]);
}

/** Encrypts under `key` (which the caller owns and wipes) and returns the base64 blob. */
export function seal(key: Uint8Array, scheme: Scheme, wrappedKey: Uint8Array, plaintext: string, context: EncryptionContext): string {
  const head = header(scheme, wrappedKey);
  const aad = additionalData(head, context);
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  const clear = Buffer.from(plaintext, 'utf8');
  try {
    const body = Buffer.concat([cipher.update(clear), cipher.final()]);
    return Buffer.concat([head, iv, cipher.getAuthTag(), body]).toString('base64');
  } finally {
    clear.fill(0);
  }
}

/** Splits a blob written by {@link seal}; anything else is a {@link DecryptionError}. */
export function parse(blob: string, expected: Scheme): Envelope {
  if (typeof blob !== 'string' || !BASE64.test(blob)) throw new DecryptionError();
  const bytes = Buffer.from(blob, 'base64');
  if (bytes.length < HEADER_FIXED + IV_LENGTH + TAG_LENGTH || bytes[0] !== VERSION || bytes[1] !== expected) {
    throw new DecryptionError();
  }
  const keyEnd = HEADER_FIXED + bytes.readUInt16BE(2);
  if (bytes.length < keyEnd + IV_LENGTH + TAG_LENGTH) throw new DecryptionError();
  if ((expected === Scheme.Kms) !== keyEnd > HEADER_FIXED) throw new DecryptionError();
  const ivEnd = keyEnd + IV_LENGTH;
  const tagEnd = ivEnd + TAG_LENGTH;
  return {
    header: bytes.subarray(0, keyEnd),
    wrappedKey: bytes.subarray(HEADER_FIXED, keyEnd),
    iv: bytes.subarray(keyEnd, ivEnd),
    tag: bytes.subarray(ivEnd, tagEnd),
    ciphertext: bytes.subarray(tagEnd),
  };
}

/** Authenticates and decrypts; any failure (wrong key, wrong context, altered byte) is the same {@link DecryptionError}. */
export function open(key: Uint8Array, envelope: Envelope, context: EncryptionContext): string {
  // Built outside the try so that an invalid context surfaces as the programming error it is.
  const aad = additionalData(envelope.header, context);
  let clear: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, envelope.iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(aad);
    decipher.setAuthTag(envelope.tag);
    clear = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
  try {
    return clear.toString('utf8');
  } finally {
    clear.fill(0);
  }
}

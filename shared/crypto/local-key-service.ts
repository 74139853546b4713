import { open, parse, Scheme, seal } from './envelope';
import { contextEntries, type KeyService } from './key-service';

export interface LocalKeyServiceOptions {
  /** 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`). */
  readonly masterKey: string;
}

const EMPTY = new Uint8Array(0);

/**
 * The local stand-in for KMS: AES-256-GCM directly under a master key held in memory, with the
 * canonical encryption context as additional data. Same blob layout and the same errors as the KMS
 * adapter, so a wrong context, a wrong key or an altered byte fails locally exactly as it would in AWS.
 */
export function createLocalKeyService({ masterKey }: LocalKeyServiceOptions): KeyService {
  const key = Buffer.from(masterKey, 'base64');
  // Re-encoding catches a truncated or mistyped value that base64 decoding would silently accept.
  if (key.length !== 32 || key.toString('base64') !== masterKey.trim()) {
    key.fill(0);
    throw new Error('The local master key must be exactly 32 bytes, base64-encoded');
  }
  return {
    async encrypt(plaintext, context) {
      return seal(key, Scheme.Local, EMPTY, plaintext, context);
    },
    async decrypt(ciphertext, context) {
      // Validated before the blob so that a malformed context is reported as such, as the KMS adapter does.
      contextEntries(context);
      return open(key, parse(ciphertext, Scheme.Local), context);
    },
  };
}

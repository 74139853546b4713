import { randomBytes } from 'node:crypto';
import { createLocalKeyService, DecryptionError } from '../../../shared/crypto';
import { context, token } from './fixtures';

describe('local key service', () => {
  it('refuses a blob written under another master key', async () => {
    const blob = await createLocalKeyService({ masterKey: randomBytes(32).toString('base64') }).encrypt(token, context);
    const other = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });

    await expect(other.decrypt(blob, context)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('decrypts across instances that share the master key (cold starts, other functions)', async () => {
    const masterKey = randomBytes(32).toString('base64');
    const blob = await createLocalKeyService({ masterKey }).encrypt(token, context);

    await expect(createLocalKeyService({ masterKey }).decrypt(blob, context)).resolves.toBe(token);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['not base64', 'this is not a key at all, not even close!!'],
    ['empty', ''],
  ])('refuses a master key of %s without echoing it', (_label, masterKey) => {
    let thrown: unknown;
    try {
      createLocalKeyService({ masterKey });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/32 bytes/);
    if (masterKey) expect(String(thrown)).not.toContain(masterKey);
  });
});

import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { createKmsKeyService, createLocalKeyService, type KeyService } from '../../../shared/crypto';
import { context, fakeKms, KEY_ID, throttled, token } from './fixtures';

/** Every rendering of an error a logger or an error mapper might produce. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [String(e), e.message, e.stack ?? '', JSON.stringify(e), inspect(e, { depth: 5, showHidden: true })];
}

async function failuresOf(keys: KeyService): Promise<unknown[]> {
  const blob = await keys.encrypt(token, context);
  const bytes = Buffer.from(blob, 'base64');
  bytes[bytes.length - 1] ^= 1;
  const attempts = [
    keys.decrypt(blob, { ...context, accountSid: 'AC' + '0'.repeat(32) }),
    keys.decrypt(bytes.toString('base64'), context),
    keys.decrypt(blob.slice(0, 30), context),
    keys.decrypt(blob, { ...context, partnerId: '' }),
  ];
  const errors = await Promise.all(attempts.map((p) => p.then(() => undefined, (e: unknown) => e)));
  expect(errors.every((e) => e instanceof Error)).toBe(true);
  return errors;
}

describe('key service errors never carry secrets', () => {
  it('local adapter: no token, no master key, no ciphertext in any error', async () => {
    const masterKey = randomBytes(32);
    const keys = createLocalKeyService({ masterKey: masterKey.toString('base64') });
    const blob = await keys.encrypt(token, context);

    for (const error of await failuresOf(keys)) {
      for (const text of renderings(error)) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(masterKey.toString('base64'));
        expect(text).not.toContain(masterKey.toString('hex'));
        expect(text).not.toContain(blob.slice(8, 40));
      }
    }
  });

  it('KMS adapter: no token, no data key, no ciphertext in any error, including provider failures', async () => {
    const fake = fakeKms();
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const blob = await keys.encrypt(token, context);
    const errors = await failuresOf(keys);
    fake.kms.on(DecryptCommand).rejects(throttled());
    errors.push(await keys.decrypt(blob, context).catch((e: unknown) => e));

    const dataKeys = fake.dataKeys();
    expect(dataKeys.length).toBeGreaterThan(0);
    for (const error of errors) {
      for (const text of renderings(error)) {
        expect(text).not.toContain(token);
        expect(text).not.toContain(blob.slice(8, 40));
        for (const key of dataKeys) {
          expect(text).not.toContain(key.toString('base64'));
          expect(text).not.toContain(key.toString('hex'));
        }
      }
    }
  });
});

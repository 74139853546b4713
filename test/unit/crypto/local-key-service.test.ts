import { randomBytes } from 'node:crypto';
import { canonicalContext, createLocalKeyService, DecryptionError } from '../../../shared/crypto';
import { context, secretContext, token } from './fixtures';

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

  it('still opens a token blob written before webhook secrets had a context of their own', async () => {
    // Written by the adapter as it was then, under this master key and the fixtures' token context.
    const masterKey = Buffer.alloc(32, 7).toString('base64');
    const stored = 'AQEAAAguEITLvDVRuy46xVND4DqcGTlkUghdBXt1v6TdlQ3KaTHt6XhT7BCrveSooDoXK1QmOSYDl48A17Nb0g==';
    const keys = createLocalKeyService({ masterKey });

    await expect(keys.decrypt(stored, context)).resolves.toBe(token);
    await expect(keys.decrypt(stored, secretContext)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('authenticates each shape as its own sorted keys only', () => {
    expect(canonicalContext({ ...context, status: 'active' } as typeof context)).toBe(
      `{"accountSid":"${context.accountSid}","customerId":"${context.customerId}","partnerId":"${context.partnerId}"}`,
    );
    expect(canonicalContext(secretContext)).toBe(`{"partnerId":"${secretContext.partnerId}","purpose":"partner-webhook-secret","webhookEndpointId":"${secretContext.webhookEndpointId}"}`);
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

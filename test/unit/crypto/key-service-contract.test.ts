import { randomBytes } from 'node:crypto';
import { createKmsKeyService, createLocalKeyService, DecryptionError, type TokenContext, type KeyService } from '../../../shared/crypto';
import { context, fakeKms, KEY_ID, secretContext, token } from './fixtures';

/**
 * The semantics both adapters promise, run against each: the local adapter must fail exactly where KMS
 * would, or local runs would hide tenant-binding bugs that only show up in AWS.
 */
const adapters: Array<[string, () => KeyService]> = [
  ['local', () => createLocalKeyService({ masterKey: randomBytes(32).toString('base64') })],
  ['kms', () => createKmsKeyService({ client: fakeKms().client, keyId: KEY_ID })],
];

describe.each(adapters)('%s key service', (_name, make) => {
  let keys: KeyService;
  beforeEach(() => {
    keys = make();
  });

  it('round-trips a token, including non-ASCII and empty strings', async () => {
    for (const secret of [token, 'ünïcødé 🔑 token', '']) {
      // Act
      const blob = await keys.encrypt(secret, context);
      // Assess
      await expect(keys.decrypt(blob, context)).resolves.toBe(secret);
    }
  });

  it('produces an opaque versioned base64 blob, fresh for every call', async () => {
    const first = await keys.encrypt(token, context);
    const second = await keys.encrypt(token, context);

    expect(first).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(first, 'base64')[0]).toBe(1);
    expect(first).not.toBe(second);
    expect(Buffer.from(first, 'base64').includes(Buffer.from(token))).toBe(false);
  });

  it.each(['partnerId', 'customerId', 'accountSid'] as const)('refuses to decrypt when %s differs', async (field) => {
    const blob = await keys.encrypt(token, context);
    const other: TokenContext = { ...context, [field]: `${context[field]}x` };

    await expect(keys.decrypt(blob, other)).rejects.toBeInstanceOf(DecryptionError);
  });

  describe('webhook signing secrets', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

    it('round-trips a secret under its own context', async () => {
      await expect(keys.decrypt(await keys.encrypt(secret, secretContext), secretContext)).resolves.toBe(secret);
    });

    it.each(['partnerId', 'webhookEndpointId'] as const)('refuses to decrypt when %s differs', async (field) => {
      const blob = await keys.encrypt(secret, secretContext);

      await expect(keys.decrypt(blob, { ...secretContext, [field]: `${secretContext[field]}x` })).rejects.toBeInstanceOf(DecryptionError);
    });

    it('keeps secrets and tokens apart: a blob of one kind never opens as the other, even for the same partner', async () => {
      const secretBlob = await keys.encrypt(secret, secretContext);
      const tokenBlob = await keys.encrypt(token, context);

      await expect(keys.decrypt(secretBlob, context)).rejects.toBeInstanceOf(DecryptionError);
      await expect(keys.decrypt(tokenBlob, secretContext)).rejects.toBeInstanceOf(DecryptionError);
    });

    it.each([
      ['a token context with a purpose', { ...context, purpose: 'partner-webhook-secret' }],
      ['a token context with an endpoint', { ...context, webhookEndpointId: 'we_1' }],
      ['a secret context with a customer', { ...secretContext, customerId: context.customerId }],
      ['a secret context with an account', { ...secretContext, accountSid: context.accountSid }],
      ['another purpose', { ...secretContext, purpose: 'subaccount-token' }],
      ['an endpoint without a purpose', { partnerId: secretContext.partnerId, webhookEndpointId: secretContext.webhookEndpointId }],
    ])('refuses %s as a programming error, before any crypto', async (_label, mixed) => {
      const blob = await keys.encrypt(token, context);

      await expect(keys.encrypt(token, mixed as never)).rejects.toThrow(TypeError);
      await expect(keys.decrypt(blob, mixed as never)).rejects.toThrow(TypeError);
    });
  });

  it('refuses a context whose values were swapped between fields', async () => {
    const blob = await keys.encrypt(token, context);
    const swapped = { partnerId: context.customerId, customerId: context.partnerId, accountSid: context.accountSid };

    await expect(keys.decrypt(blob, swapped)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('binds only the three context fields, so extra properties on the caller object do not matter', async () => {
    const blob = await keys.encrypt(token, { ...context, status: 'active' } as TokenContext);

    await expect(keys.decrypt(blob, context)).resolves.toBe(token);
  });

  it('refuses a blob with any single byte altered', async () => {
    const bytes = Buffer.from(await keys.encrypt(token, context), 'base64');
    for (let i = 0; i < bytes.length; i++) {
      const tampered = Buffer.from(bytes);
      tampered[i] ^= 0x01;
      await expect(keys.decrypt(tampered.toString('base64'), context)).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  it('refuses truncated, extended, empty and non-base64 blobs', async () => {
    const blob = await keys.encrypt(token, context);
    const bytes = Buffer.from(blob, 'base64');
    const bad = [
      '',
      'not base64!',
      bytes.subarray(0, bytes.length - 1).toString('base64'),
      bytes.subarray(0, 20).toString('base64'),
      Buffer.concat([bytes, Buffer.from([0])]).toString('base64'),
      `${blob}AAAA`,
    ];
    for (const candidate of bad) {
      await expect(keys.decrypt(candidate, context)).rejects.toBeInstanceOf(DecryptionError);
    }
  });

  it('refuses an unknown format version', async () => {
    const bytes = Buffer.from(await keys.encrypt(token, context), 'base64');
    bytes[0] = 2;

    await expect(keys.decrypt(bytes.toString('base64'), context)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('rejects an incomplete context as a programming error, not a decryption failure', async () => {
    const broken = { ...context, partnerId: '' };

    await expect(keys.encrypt(token, broken)).rejects.toThrow(TypeError);
    await expect(keys.decrypt(await keys.encrypt(token, context), broken)).rejects.toThrow(TypeError);
  });
});

describe('blobs do not cross adapters', () => {
  it('the local adapter refuses a KMS blob and the KMS adapter refuses a local blob', async () => {
    const local = createLocalKeyService({ masterKey: randomBytes(32).toString('base64') });
    const kms = createKmsKeyService({ client: fakeKms().client, keyId: KEY_ID });

    await expect(local.decrypt(await kms.encrypt(token, context), context)).rejects.toBeInstanceOf(DecryptionError);
    await expect(kms.decrypt(await local.encrypt(token, context), context)).rejects.toBeInstanceOf(DecryptionError);
  });
});

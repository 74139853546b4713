import { DecryptCommand, GenerateDataKeyCommand, IncorrectKeyException } from '@aws-sdk/client-kms';
import { createKmsKeyService, DecryptionError, KeyServiceUnavailableError } from '../../../shared/crypto';
import { context, fakeKms, KEY_ID, secretContext, throttled, token } from './fixtures';

const WRAPPED_KEY_OFFSET = 4;

function wrappedKeyOf(blob: string): Buffer {
  const bytes = Buffer.from(blob, 'base64');
  return bytes.subarray(WRAPPED_KEY_OFFSET, WRAPPED_KEY_OFFSET + bytes.readUInt16BE(2));
}

describe('KMS key service', () => {
  let fake: ReturnType<typeof fakeKms>;
  beforeEach(() => {
    fake = fakeKms();
  });
  afterEach(() => {
    fake.kms.reset();
  });

  it('asks KMS for an AES-256 data key under the configured key and the tenant context', async () => {
    // Prepare
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });

    // Act
    await keys.encrypt(token, context);

    // Assess
    const calls = fake.kms.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      KeyId: KEY_ID,
      KeySpec: 'AES_256',
      EncryptionContext: { accountSid: context.accountSid, customerId: context.customerId, partnerId: context.partnerId },
    });
  });

  it('stores the wrapped data key and sends exactly it, with the same context and key id, to Decrypt', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const blob = await keys.encrypt(token, context);

    await expect(keys.decrypt(blob, context)).resolves.toBe(token);

    const calls = fake.kms.commandCalls(DecryptCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input).toEqual({
      CiphertextBlob: expect.anything(),
      KeyId: KEY_ID,
      EncryptionContext: { accountSid: context.accountSid, customerId: context.customerId, partnerId: context.partnerId },
    });
    const generated = fake.kms.commandCalls(GenerateDataKeyCommand)[0].returnValue as Promise<{ CiphertextBlob: Uint8Array }>;
    const { CiphertextBlob } = await generated;
    expect(Buffer.from(input.CiphertextBlob ?? []).equals(Buffer.from(CiphertextBlob))).toBe(true);
    expect(wrappedKeyOf(blob).equals(Buffer.from(CiphertextBlob))).toBe(true);
  });

  it('encrypts locally: the token never travels to KMS', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const blob = await keys.encrypt(token, context);
    await keys.decrypt(blob, context);

    const sent = JSON.stringify(fake.kms.calls().map((call) => call.args[0].input));
    expect(sent).not.toContain(token);
  });

  it('wipes every plaintext data key it received once it is done with it', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    await keys.decrypt(await keys.encrypt(token, context), context);

    expect(fake.issuedKeys).toHaveLength(2);
    for (const key of fake.issuedKeys) expect(key.every((byte) => byte === 0)).toBe(true);
    for (const key of fake.dataKeys()) expect(key.some((byte) => byte !== 0)).toBe(true);
  });

  it('wipes the data key even when local decryption fails', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const bytes = Buffer.from(await keys.encrypt(token, context), 'base64');
    bytes[bytes.length - 1] ^= 0xff;

    await expect(keys.decrypt(bytes.toString('base64'), context)).rejects.toBeInstanceOf(DecryptionError);
    expect(fake.issuedKeys[1].every((byte) => byte === 0)).toBe(true);
  });

  it('lets KMS enforce the context: a different tenant reaches KMS and is refused there', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const blob = await keys.encrypt(token, context);
    const other = { ...context, customerId: 'cus_other' };

    await expect(keys.decrypt(blob, other)).rejects.toBeInstanceOf(DecryptionError);
    expect(fake.kms.commandCalls(DecryptCommand)[0].args[0].input.EncryptionContext).toEqual({ ...context, customerId: 'cus_other' });
  });

  it('sends a token context to KMS exactly as before webhook secrets existed: the same three keys, in the same order', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    await keys.decrypt(await keys.encrypt(token, { ...context, status: 'active' } as typeof context), context);

    const expected = `{"accountSid":"${context.accountSid}","customerId":"${context.customerId}","partnerId":"${context.partnerId}"}`;
    expect(JSON.stringify(fake.kms.commandCalls(GenerateDataKeyCommand)[0].args[0].input.EncryptionContext)).toBe(expected);
    expect(JSON.stringify(fake.kms.commandCalls(DecryptCommand)[0].args[0].input.EncryptionContext)).toBe(expected);
  });

  it('sends a webhook secret context as its own three keys, sorted, on both calls', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    await expect(keys.decrypt(await keys.encrypt('whsec_abc', secretContext), secretContext)).resolves.toBe('whsec_abc');

    const expected = `{"partnerId":"${secretContext.partnerId}","purpose":"partner-webhook-secret","webhookEndpointId":"${secretContext.webhookEndpointId}"}`;
    expect(JSON.stringify(fake.kms.commandCalls(GenerateDataKeyCommand)[0].args[0].input.EncryptionContext)).toBe(expected);
    expect(JSON.stringify(fake.kms.commandCalls(DecryptCommand)[0].args[0].input.EncryptionContext)).toBe(expected);
  });

  it('lets KMS refuse a token blob asked for as a webhook secret, and the reverse', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const tokenBlob = await keys.encrypt(token, context);
    const secretBlob = await keys.encrypt('whsec_abc', secretContext);

    await expect(keys.decrypt(tokenBlob, secretContext)).rejects.toBeInstanceOf(DecryptionError);
    await expect(keys.decrypt(secretBlob, context)).rejects.toBeInstanceOf(DecryptionError);
    const sent = fake.kms.commandCalls(DecryptCommand).map((call) => call.args[0].input.EncryptionContext);
    expect(sent).toEqual([
      { partnerId: secretContext.partnerId, purpose: secretContext.purpose, webhookEndpointId: secretContext.webhookEndpointId },
      { accountSid: context.accountSid, customerId: context.customerId, partnerId: context.partnerId },
    ]);
  });

  it('never calls KMS with a context that mixes both shapes', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });

    await expect(keys.encrypt(token, { ...context, webhookEndpointId: 'we_1' } as never)).rejects.toThrow(TypeError);
    expect(fake.kms.calls()).toHaveLength(0);
  });

  it('does not call KMS for a blob that is not an envelope', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });

    await expect(keys.decrypt('AQIAAA==', context)).rejects.toBeInstanceOf(DecryptionError);
    expect(fake.kms.commandCalls(DecryptCommand)).toHaveLength(0);
  });

  it('maps IncorrectKeyException to DecryptionError', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const blob = await keys.encrypt(token, context);
    fake.kms.on(DecryptCommand).rejects(new IncorrectKeyException({ message: 'IncorrectKeyException', $metadata: {} }));

    await expect(keys.decrypt(blob, context)).rejects.toBeInstanceOf(DecryptionError);
  });

  it('reports throttling and outages as KeyServiceUnavailableError, never as a bad token', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const blob = await keys.encrypt(token, context);
    fake.kms.on(GenerateDataKeyCommand).rejects(throttled());
    fake.kms.on(DecryptCommand).rejects(new Error('socket hang up'));

    const encryptError = await keys.encrypt(token, context).catch((e: unknown) => e);
    const decryptError = await keys.decrypt(blob, context).catch((e: unknown) => e);

    expect(encryptError).toBeInstanceOf(KeyServiceUnavailableError);
    expect((encryptError as KeyServiceUnavailableError).code).toBe('ThrottlingException');
    expect(decryptError).toBeInstanceOf(KeyServiceUnavailableError);
    expect(decryptError).not.toBeInstanceOf(DecryptionError);
  });

  it('refuses a GenerateDataKey answer without a 256-bit key', async () => {
    const keys = createKmsKeyService({ client: fake.client, keyId: KEY_ID });
    const short = new Uint8Array(16).fill(7);
    fake.kms.on(GenerateDataKeyCommand).resolves({ KeyId: KEY_ID, CiphertextBlob: new Uint8Array(184), Plaintext: short });

    await expect(keys.encrypt(token, context)).rejects.toBeInstanceOf(KeyServiceUnavailableError);
    expect(short.every((byte) => byte === 0)).toBe(true);
  });
});

import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { s3DocumentStore } from '../../../shared/documents/s3-document-store';

const s3 = mockClient(S3Client);
const store = s3DocumentStore(new S3Client({ region: 'us-east-1' }), 'docs-bucket');

beforeEach(() => s3.reset());

describe('s3DocumentStore', () => {
  it('puts the bytes with their sniffed type and a SHA-256 checksum S3 verifies', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store.put('ptn/cus/doc_1', Buffer.from('%PDF-1.4'), 'application/pdf');
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { Bucket: 'docs-bucket', Key: 'ptn/cus/doc_1', ContentType: 'application/pdf', ChecksumAlgorithm: 'SHA256' });
  });

  it('reads the bytes back, and a missing key as undefined', async () => {
    s3.on(GetObjectCommand, { Key: 'ptn/cus/doc_1' }).resolves({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('%PDF-1.4')) } as never });
    s3.on(GetObjectCommand, { Key: 'ptn/cus/doc_2' }).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    expect((await store.get('ptn/cus/doc_1'))?.toString()).toBe('%PDF-1.4');
    expect(await store.get('ptn/cus/doc_2')).toBeUndefined();
  });

  it('deletes by key', async () => {
    s3.on(DeleteObjectCommand).resolves({});
    await store.delete('ptn/cus/doc_1');
    expect(s3).toHaveReceivedCommandWith(DeleteObjectCommand, { Bucket: 'docs-bucket', Key: 'ptn/cus/doc_1' });
  });
});

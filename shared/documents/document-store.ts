/**
 * Where the bytes of supporting documents are kept: S3 in AWS, a directory locally. Keys are
 * built by the document service (tenant and document id in them) and are opaque here.
 */
export interface DocumentStore {
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  /** The bytes, or undefined when nothing is stored under the key. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes the bytes; a key that holds nothing is not an error. */
  delete(key: string): Promise<void>;
}

import { S3Client } from '@aws-sdk/client-s3';
import { config, required } from '../config';
import type { DocumentStore } from '../documents/document-store';
import { localDocumentStore } from '../documents/local-document-store';
import { s3DocumentStore } from '../documents/s3-document-store';
import { traced } from '../observability';
import { documentReader, type DocumentReader } from '../services/documents';
import { documentClient, tableName } from '../store/client';
import { dynamoCustomerRepository } from '../store/customers';
import { dynamoDocumentRepository } from '../store/documents';

/** The local platform keeps the bytes in its data directory; in AWS they are in the stack's bucket. */
export function defaultDocumentStore(): DocumentStore {
  if (config.DOCUMENTS_DIR) return localDocumentStore(config.DOCUMENTS_DIR);
  return s3DocumentStore(traced(new S3Client({ region: config.AWS_REGION })), required('DOCUMENT_BUCKET'));
}

export const documentRepository = dynamoDocumentRepository(documentClient, tableName);
export const documentCustomers = dynamoCustomerRepository(documentClient, tableName);

/** Document reads, download and delete, without the Twilio SDK or the key service in their bundles; built on first use. */
let reader: DocumentReader | undefined;
export function documentReads(): DocumentReader {
  return (reader ??= documentReader({ documents: documentRepository, store: defaultDocumentStore(), customers: documentCustomers }));
}

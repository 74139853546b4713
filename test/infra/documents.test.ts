import { Match, type Template } from 'aws-cdk-lib/assertions';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { asArray, buildApp, policyStatements, type CfnResource } from './app-fixture';

/** The supporting documents' bucket and who may touch it. */
let stateful: Template;
let platform: Template;
let api: Template;
beforeAll(() => {
  const app = buildApp();
  stateful = app.statefulTemplate();
  platform = app.platformTemplate();
  api = app.apiTemplate();
});

const s3ActionsOf = (id: string) =>
  policyStatements(platform)
    .filter(({ policy }) => policy.startsWith(`Functions${pascalCase(id)}Role`))
    .flatMap(({ statement }) => asArray(statement.Action).map((action) => ({ action, resource: JSON.stringify(statement.Resource) })))
    .filter(({ action }) => action.startsWith('s3:'));

describe('documents bucket', () => {
  it('is private, TLS only, encrypted, versioned with old versions expiring, logged to its own bucket, and retained', () => {
    const buckets = stateful.findResources('AWS::S3::Bucket') as Record<string, CfnResource & { DeletionPolicy?: string }>;
    const [id, documents] = Object.entries(buckets).find(([, b]) => b.Properties?.LoggingConfiguration) ?? [];
    expect(id).toBeDefined();
    expect(documents!.DeletionPolicy).toBe('Retain');
    expect(documents!.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^DocumentsAccessLogs/) }, LogFilePrefix: 'documents/' },
    });
    expect(JSON.stringify(documents!.Properties!.LifecycleConfiguration)).toContain('"NoncurrentDays":30');
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('grants exact object actions to the functions that need them, and S3 to no other function', () => {
    const expected: Record<string, string[]> = {
      'documents-create': ['s3:DeleteObject', 's3:PutObject'],
      'documents-content': ['s3:GetObject'],
      'documents-delete': ['s3:DeleteObject'],
      'customers-delete': ['s3:DeleteObject'],
    };
    for (const spec of catalog) {
      const granted = s3ActionsOf(spec.id);
      expect({ id: spec.id, actions: granted.map((g) => g.action).sort() }).toEqual({ id: spec.id, actions: expected[spec.id] ?? [] });
      for (const { resource } of granted) expect(resource).toMatch(/:s3:::switchboard-dev-documents-.*\/\*/);
    }
  });

  it('passes every body to the functions as bytes and sends base64 answers back as bytes (uploads, downloads)', () => {
    api.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });
});

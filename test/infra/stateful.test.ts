import { Match, type Template } from 'aws-cdk-lib/assertions';
import { QUEUES } from '../../infra/catalog';
import { TABLE } from '../../shared/store/table';
import { buildApp } from './app-fixture';

describe('stateful stack', () => {
  let template: Template;
  beforeAll(() => {
    // The whole app, as deployed: an app with an empty platform stack fails CloudFormation's validation.
    template = buildApp().statefulTemplate();
  });

  it('builds the table from the shared definition: keys, gsi1, TTL', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('makes the table survive mistakes: PITR, deletion protection, RETAIN', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('encrypts the table with its own rotating customer-managed key', () => {
    const [tableKeyId] = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('data table') } }));
    expect(tableKeyId).toBeDefined();
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [tableKeyId, 'Arn'] } },
    });
  });

  it('has three customer-managed keys (table, tokens, master secret), all rotating and retained', () => {
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(3);
    for (const key of Object.values(keys)) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    }
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/switchboard/dev/tokens' });
  });

  it('keeps the Twilio master credentials out of the template, KMS-encrypted and retained', () => {
    const [secretKeyId] = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('Twilio master') } }));
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': [secretKeyId, 'Arn'] },
        SecretString: Match.absent(),
        GenerateSecretString: Match.objectLike({ GenerateStringKey: 'authToken', SecretStringTemplate: JSON.stringify({ accountSid: '' }) }),
        Description: Match.anyValue(),
        Tags: Match.anyValue(),
      },
    });
  });

  it('creates one queue and one DLQ per catalog queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', Object.keys(QUEUES).length * 2);
  });

  it('outputs the table name and the secret ARN for the operator', () => {
    template.hasOutput('TableName', { Value: { Ref: Match.stringLikeRegexp('^DataTable') } });
    template.hasOutput('TwilioMasterSecretArn', Match.anyValue());
    template.hasOutput('TokenKeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TokenKey'), 'Arn'] } });
  });
});

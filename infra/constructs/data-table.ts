import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableDefinition } from '../../shared/store/table';

export type TableAccess = 'read' | 'readwrite';

export interface DataTableProps {
  /** The one table definition shared with the local runtime (`TABLE` in `shared/store/table.ts`). */
  readonly definition: TableDefinition;
  readonly stage: string;
}

/** Every access pattern is a GetItem or a Query (never a Scan); TransactGetItems is authorised per item by GetItem. */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/**
 * TransactWriteItems has no IAM action of its own: each Put / Update / Delete / ConditionCheck inside
 * a transaction is authorised by the matching item action, so these four cover transactions too.
 */
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/**
 * The single table and the customer-managed key that encrypts it. The key schema itself is documented
 * next to the definition in `shared/store/table.ts`; this construct only turns it into a table that
 * survives mistakes: point-in-time recovery, deletion protection and RETAIN on both table and key.
 */
export class DataTable extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;
  private readonly indexNames: string[];

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    const { definition } = props;

    this.key = new kms.Key(this, 'Key', {
      description: `Switchboard ${props.stage}: encrypts the data table`,
      enableKeyRotation: true,
      alias: `alias/switchboard/${props.stage}/table`,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: definition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: definition.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      timeToLiveAttribute: definition.ttlAttribute,
      // New images feed the partner-event fan-out (its event source filters to PartnerEvent inserts).
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });

    for (const index of definition.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.indexNames = definition.globalIndexes.map((index) => index.indexName);
  }

  /**
   * Item-level access to the table and its indexes, named one by one (no `index/*`) so the policy
   * is exactly as wide as the definition. DynamoDB uses the table key on the caller's behalf, so the
   * caller also needs the key — but only through DynamoDB (`kms:ViaService`).
   */
  grantItems(grantee: iam.IGrantable, access: TableAccess): void {
    const stack = Stack.of(this);
    const resources = [this.table.tableArn, ...this.indexNames.map((name) => `${this.table.tableArn}/index/${name}`)];
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: access === 'readwrite' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS, resources }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: access === 'readwrite' ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  /**
   * UpdateItem on the items whose partition key starts with `prefix`, nothing else
   * (`dynamodb:LeadingKeys`): for a function that reads the table and keeps one kind of counter.
   */
  grantPrefixUpdates(grantee: iam.IGrantable, prefix: string): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] } },
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }
}

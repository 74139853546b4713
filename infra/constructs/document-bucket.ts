import { Aws, Duration, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** What a function may do with document bytes (object level only: nothing lists or configures the bucket). */
export type DocumentOperation = 'put' | 'get' | 'delete';

/**
 * The bucket's fixed name per stage, account and region, so the platform stack names it (and its
 * objects' ARN in the function policies) without a cross-stack reference — as the webhook base
 * URL parameter is named.
 */
export function documentBucketName(stage: string): string {
  return `switchboard-${stage}-documents-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/** What the functions are given: the bucket's name and the ARN of its objects. */
export interface DocumentBucketRef {
  readonly bucketName: string;
  readonly objectsArn: string;
  /** How the objects' ARN reads in a policy finding (cdk-nag renders pseudo parameters this way). */
  readonly objectsArnFinding: string;
}

export function documentBucketRef(stage: string): DocumentBucketRef {
  const bucketName = documentBucketName(stage);
  return {
    bucketName,
    objectsArn: `arn:${Aws.PARTITION}:s3:::${bucketName}/*`,
    objectsArnFinding: `arn:<AWS::Partition>:s3:::switchboard-${stage}-documents-<AWS::AccountId>-<AWS::Region>/*`,
  };
}

export interface DocumentBucketProps {
  readonly stage: string;
  /** Days a deleted or replaced object's previous version is kept (recovery from a wrong delete). */
  readonly noncurrentVersionDays?: number;
  /** Days the server access logs are kept. */
  readonly accessLogDays?: number;
}

/**
 * The bytes of customers' supporting documents (their metadata is in the table). Private, TLS
 * only, encrypted at rest, versioned so a delete can be undone for a while, with server access
 * logs in a bucket of their own. Objects are keyed `<partnerId>/<customerId>/<documentId>`.
 */
export class DocumentBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: DocumentBucketProps) {
    super(scope, id);
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // S3's log delivery writes with the ACL grant CDK gives it on a server-access-logs target.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogDays ?? 365) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket holds the document bucket's server access logs; logging a log bucket's own access would need another bucket with the same question.",
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: documentBucketName(props.stage),
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays ?? 30), expiredObjectDeleteMarker: true },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}

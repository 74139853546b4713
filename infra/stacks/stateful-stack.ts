import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { TableDefinition } from '../../shared/store/table';
import { pascalCase, type QueueDefinitions } from '../constructs/catalog-types';
import { DataTable } from '../constructs/data-table';
import { TokenKey } from '../constructs/token-key';
import { TwilioMasterSecret } from '../constructs/twilio-master-secret';
import { WorkQueues } from '../constructs/work-queues';
import { AlarmTopic } from '../constructs/alarm-topic';
import { DocumentBucket } from '../constructs/document-bucket';

export interface StatefulStackProps extends StackProps {
  readonly stage: string;
  readonly table: TableDefinition;
  readonly queues: QueueDefinitions;
  /** Subscribed to the alarm topic by e-mail when given. */
  readonly alarmEmail?: string;
}

/**
 * Everything that holds data or identity and must outlive a bad deploy of the functions: the table
 * and its key, the tenant token key, the Twilio master secret and the work queues. It changes
 * rarely and is deployed first; the platform stack receives these constructs as typed props.
 */
export class StatefulStack extends Stack {
  readonly table: DataTable;
  readonly tokenKey: TokenKey;
  readonly twilioMaster: TwilioMasterSecret;
  readonly queues: WorkQueues;
  readonly alarms: AlarmTopic;
  readonly documents: DocumentBucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.table = new DataTable(this, 'Data', { definition: props.table, stage: props.stage });
    this.tokenKey = new TokenKey(this, 'TokenKey', { stage: props.stage });
    this.twilioMaster = new TwilioMasterSecret(this, 'TwilioMaster', { stage: props.stage });
    this.queues = new WorkQueues(this, 'Queues', { queues: props.queues });
    this.alarms = new AlarmTopic(this, 'Alarms', { stage: props.stage, email: props.alarmEmail });
    this.documents = new DocumentBucket(this, 'Documents', { stage: props.stage });
    this.alarms.routeAll(this);
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn, description: 'Every alarm of the stage, on ALARM and OK: subscribe e-mail, HTTPS (PagerDuty) or AWS Chatbot here' });

    new CfnOutput(this, 'TableName', { value: this.table.table.tableName, description: 'The single DynamoDB table' });
    new CfnOutput(this, 'TwilioMasterSecretArn', {
      value: this.twilioMaster.secret.secretArn,
      description: 'Write {"accountSid","authToken"} here with secretsmanager put-secret-value',
    });
    new CfnOutput(this, 'TokenKeyArn', {
      value: this.tokenKey.key.keyArn,
      description: 'KMS key of the subaccount tokens (tenant context); the operator CLI rotates tokens with it',
    });
    for (const { name, queue, deadLetterQueue } of this.queues.byName.values()) {
      new CfnOutput(this, `QueueUrl${pascalCase(name)}`, { value: queue.queueUrl, description: `Queue "${name}"` });
      new CfnOutput(this, `DeadLetterQueueUrl${pascalCase(name)}`, { value: deadLetterQueue.queueUrl, description: `Dead letters of "${name}" (redrive source)` });
    }
  }
}

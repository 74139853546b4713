import { Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, type IConstruct } from 'constructs';

export interface AlarmTopicProps {
  readonly stage: string;
  /** Optional e-mail subscription (`alarmEmail` context); Slack / PagerDuty are added as documented in docs/runbooks/README.md. */
  readonly email?: string;
}

/**
 * Where every alarm of the stage goes, on ALARM and on OK. It lives in the stateful stack so its
 * subscriptions (confirmed e-mails, chat and paging integrations) outlive a redeploy of the platform.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: `Switchboard ${props.stage} alarms`, enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry alarm names, states and metric values only, never tenant data. CloudWatch cannot publish to a topic ' +
        'encrypted with the AWS-managed SNS key, and transport is TLS-only (enforceSSL).',
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Gives every alarm under `scope` this topic as its ALARM and OK action: an alarm nobody hears cannot be added by mistake. */
  routeAll(scope: IConstruct = Stack.of(this)): void {
    const action = new actions.SnsAction(this.topic);
    for (const node of scope.node.findAll()) {
      if (!(node instanceof cloudwatch.Alarm)) continue;
      node.addAlarmAction(action);
      node.addOkAction(action);
    }
  }
}

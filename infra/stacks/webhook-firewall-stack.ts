import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WebhookFirewall } from '../constructs/webhook-edge';

export interface WebhookFirewallStackProps extends StackProps {
  readonly stage: string;
  readonly rateLimit: number;
}

/**
 * The webhooks' web ACL, alone in us-east-1: WAF creates CLOUDFRONT-scope web ACLs only there.
 * Deployed only when the platform stack is in another region; the platform reads the ACL's ARN
 * from this stack's output with `Fn::GetStackOutput` (the weak cross-stack references cdk.json
 * selects), so neither stack locks the other through an export.
 */
export class WebhookFirewallStack extends Stack {
  readonly firewall: WebhookFirewall;

  constructor(scope: Construct, id: string, props: WebhookFirewallStackProps) {
    super(scope, id, props);
    this.firewall = new WebhookFirewall(this, 'WebhookFirewall', { stage: props.stage, rateLimit: props.rateLimit });
  }
}

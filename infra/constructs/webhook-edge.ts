import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { distributionDomain } from './distribution-domain';
import type { WebhookReceiver } from './catalog-functions';

/** The SSM parameter holding the webhook base URL: a fixed name per stage, so functions can be told it without referencing the distribution. */
export const webhookBaseUrlParameterName = (stage: string): string => `/switchboard/${stage}/webhook-base-url`;

export interface WebhookFirewallProps {
  readonly stage: string;
  /** Requests one IP may send per 5 minutes. */
  readonly rateLimit: number;
}

/**
 * The web ACL in front of the webhook distribution: one rate-based rule per client IP, set above
 * what one of Twilio's addresses carries, so it cuts a flood from a single source; forged requests
 * below the limit are refused by the receivers' signature check. CLOUDFRONT scope, so its stack
 * must be in us-east-1.
 */
export class WebhookFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: WebhookFirewallProps) {
    super(scope, id);
    const metric = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName: `switchboard-${props.stage}-${name}`,
      sampledRequestsEnabled: true,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `switchboard-${props.stage}-webhooks`,
      description: `Switchboard ${props.stage}: rate limit per IP on the Twilio webhook receivers`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: metric('webhooks'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimit, evaluationWindowSec: 300 } },
          visibilityConfig: metric('webhooks-rate-limit'),
        },
      ],
    });
  }
}

export interface WebhookEdgeProps {
  readonly stage: string;
  readonly receivers: readonly WebhookReceiver[];
  /** ARN of the {@link WebhookFirewall}'s web ACL (us-east-1). */
  readonly webAclArn: string;
  /** Custom domain: `https://<host>` and its ACM certificate in us-east-1. */
  readonly domain?: { readonly baseUrl: string; readonly certificateArn: string };
  /** Days CloudFront's access logs are kept. */
  readonly logRetentionDays: number;
}

/**
 * One public address for the Twilio webhook receivers: a CloudFront distribution with one behaviour
 * per receiver (`/<name>` → its function URL), and the SSM parameter naming its URL, which is what
 * receivers verify signatures against and what Twilio is told to call.
 *
 * The function URLs keep auth type NONE, not origin access control: with OAC, CloudFront signs
 * the origin request, and for a POST Lambda accepts that signature only when the viewer itself
 * sent `x-amz-content-sha256` (the body's SHA-256); Lambda takes no unsigned payloads. Twilio
 * sends no such header, so every webhook would be refused. What keeps forged requests out is the
 * receivers' X-Twilio-Signature check over this distribution's URL (a request sent to the function
 * URL directly verifies only if it carries a genuine Twilio signature, i.e. is a replay), and the
 * receivers' reserved concurrency bounds what a flood sent there can use.
 */
export class WebhookEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly baseUrl: string;
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: WebhookEdgeProps) {
    super(scope, id);
    const [first] = props.receivers;
    if (!first) throw new Error('WebhookEdge needs at least one webhook receiver');

    const logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are written with an ACL grant to its log delivery account.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the webhook distribution\'s access logs; logging a log bucket\'s own access would need another bucket with the same question.',
    });

    const receiverBehaviour = (receiver: WebhookReceiver): cloudfront.BehaviorOptions => ({
      origin: new origins.FunctionUrlOrigin(receiver.url),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Body, query string and every viewer header (X-Twilio-Signature, I-Twilio-Idempotency-Token…)
      // reach the function, except Host: a function URL answers only to its own host name.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    });
    // Paths no receiver has are answered at the edge; no function is invoked for them.
    const notFound = new cloudfront.Function(this, 'NotFound', {
      comment: 'Switchboard webhooks: 404 for paths that are not a receiver',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline("function handler() { return { statusCode: 404, statusDescription: 'Not Found' }; }"),
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Switchboard ${props.stage}: Twilio webhook receivers`,
      defaultBehavior: {
        ...receiverBehaviour(first),
        functionAssociations: [{ function: notFound, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: Object.fromEntries(props.receivers.map((receiver) => [`/${receiver.name}`, receiverBehaviour(receiver)])),
      webAclId: props.webAclArn,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'webhooks/',
      ...distributionDomain(this, props.domain),
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Twilio sends webhooks from its own infrastructure in several regions; a geo restriction would drop genuine callbacks. Forged requests fail the signature check wherever they come from.',
    });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the distribution serves the default *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes; with webhookBaseUrl and webhookCertificateArn it requires TLSv1.2_2021.',
      });
    }

    this.baseUrl = props.domain?.baseUrl ?? `https://${this.distribution.distributionDomainName}`;
    this.parameter = new ssm.StringParameter(this, 'BaseUrlParameter', {
      parameterName: webhookBaseUrlParameterName(props.stage),
      description: `Switchboard ${props.stage}: public base URL of the Twilio webhook receivers (<base>/<name>)`,
      stringValue: this.baseUrl,
    });
  }
}

/** The parameter's ARN built from its fixed name: a function's policy referencing the resource would close a cycle through the distribution. */
export function webhookBaseUrlParameterArn(scope: Construct, stage: string): string {
  return Stack.of(scope).formatArn({ service: 'ssm', resource: 'parameter', resourceName: webhookBaseUrlParameterName(stage).slice(1) });
}

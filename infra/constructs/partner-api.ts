import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiRouteFunction } from './catalog-functions';
import { ProblemResponses } from './problem-responses';
import type { ProjectFunction } from './project-function';

export interface PartnerLimits {
  /** Steady-state requests per second, per partner (per API key). */
  readonly rateLimit: number;
  /** Burst bucket, per partner. */
  readonly burstLimit: number;
  /** Requests per day, per partner. */
  readonly quotaPerDay: number;
}

export interface PartnerApiProps {
  /** API Gateway stage name (the deployment stage, e.g. `dev`); catalog paths carry their own `/v1`. */
  readonly stageName: string;
  readonly routes: readonly ApiRouteFunction[];
  readonly authorizer: ProjectFunction;
  readonly routeFallback: ProjectFunction;
  readonly partnerLimits: PartnerLimits;
  /** Stage-wide ceiling across all partners together, protecting the account's Lambda concurrency. */
  readonly stageLimits: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: logs.RetentionDays;
}

/**
 * An authorizer decision is reused for the same API key for AUTHORIZER_CACHE_SECONDS (60 s). The
 * authorizer allows the whole stage (one decision per key, not per route), so that saves a table
 * read on nearly every request; the price is that a revoked key keeps working for up to 60 s. The
 * authorizer function keeps this cache itself (AUTHORIZER_KEY_CACHE_SECONDS, set from the
 * catalog): API Gateway's own cache would need every identity source present, and a portal request
 * carries its session in the Cookie header, not in Authorization. So the gateway asks the
 * authorizer for every request, and cookie sessions are never cached (a revoked or expired session
 * stops at once).
 */
export const GATEWAY_AUTHORIZER_CACHE_TTL = Duration.seconds(0);

const COGNITO_REASON =
  'Partners are machines authenticating with API keys: a Lambda REQUEST authorizer checks the key hash in the table ' +
  '(revocation, two active keys for rotation) and feeds the per-partner usage plan. There are no Cognito users.';

/**
 * The partner REST API generated from the catalog's `api` routes: the API-key authorizer (which
 * also names the usage-plan key, so each partner is throttled on its own), an `ANY` fallback on
 * every resource and a root `{proxy+}` so unknown methods and paths get a problem+json 405/404 from
 * the route-fallback function, gateway errors in the same shape, JSON access logs and tracing.
 */
export class PartnerApi extends Construct {
  readonly api: apigw.RestApi;
  readonly usagePlan: apigw.UsagePlan;
  readonly authorizer: apigw.RequestAuthorizer;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PartnerApiProps) {
    super(scope, id);
    // Named after the deployed stack, not the nested one CloudFormation names for itself.
    const stack = Stack.of(this).nestedStackParent ?? Stack.of(this);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new apigw.RestApi(this, 'Api', {
      restApiName: `${stack.stackName}-partners`,
      description: 'Switchboard partner API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // The authorizer returns usageIdentifierKey = partnerId; the operator CLI creates each partner's
      // API Gateway key with that value and adds it to the usage plan below.
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      // Every body is passed to the functions base64-encoded and every base64 answer goes back as
      // bytes: document uploads are multipart and downloads binary, and API Gateway decides a
      // response by the request's first Accept type, which a browser's download does not control.
      // The JSON handlers decode base64 bodies (parseJsonBody); text answers pass unchanged.
      binaryMediaTypes: ['*/*'],
      // Execution logs (errors only) need the account-level CloudWatch role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Never log request or response bodies: they carry customer data and, on key routes, secrets.
        dataTraceEnabled: false,
        throttlingRateLimit: props.stageLimits.rateLimit,
        throttlingBurstLimit: props.stageLimits.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
      },
    });

    // The stack publishes `ApiUrl` (no trailing slash) instead of the construct's own `Endpoint` output.
    this.api.node.tryRemoveChild('Endpoint');

    this.authorizer = new apigw.RequestAuthorizer(this, 'PartnerAuthorizer', {
      authorizerName: 'partner-api-key',
      handler: props.authorizer.fn,
      // No identity sources and no gateway cache: a request with only the portal cookie must reach
      // the function (with a cache, a missing Authorization header is a 401 without asking it).
      identitySources: [],
      resultsCacheTtl: GATEWAY_AUTHORIZER_CACHE_TTL,
    });
    // CDK writes an empty IdentitySource for none; without a cache the property is simply left out.
    (this.authorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');

    this.usagePlan = this.api.addUsagePlan('PartnerUsagePlan', {
      name: `${stack.stackName}-partners`,
      description: 'Per-partner limits: every partner API key (value = partnerId) is added to this plan by the operator CLI',
      throttle: { rateLimit: props.partnerLimits.rateLimit, burstLimit: props.partnerLimits.burstLimit },
      quota: { limit: props.partnerLimits.quotaPerDay, period: apigw.Period.DAY },
    });
    this.usagePlan.addApiStage({ stage: this.api.deploymentStage });

    this.addRoutes(props.routes);
    this.addFallbacks(props.routes, props.routeFallback);
    new ProblemResponses(this, 'ProblemResponses', { api: this.api });
    this.acknowledgeApiFindings();
  }

  /** Base URL of the stage without a trailing slash; clients append catalog paths such as `/v1/customers`. */
  get url(): string {
    // Named after the deployed stack, not the nested one CloudFormation names for itself.
    const stack = Stack.of(this).nestedStackParent ?? Stack.of(this);
    return `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${this.api.deploymentStage.stageName}`;
  }

  private addRoutes(routes: readonly ApiRouteFunction[]): void {
    for (const { trigger, function: fn } of routes) {
      const resource = this.api.root.resourceForPath(trigger.path);
      if (resource.node.tryFindChild(trigger.method)) throw new Error(`Two catalog entries define ${trigger.method} ${trigger.path}`);
      const method = resource.addMethod(
        trigger.method,
        new apigw.LambdaIntegration(fn.fn, { allowTestInvoke: false }),
        this.methodAuth(trigger.auth),
      );
      this.acknowledgeMethod(method, trigger.auth, `the catalog marks ${trigger.method} ${trigger.path} public (auth: none); it serves no tenant data`);
    }
  }

  /**
   * `ANY` on every resource the routes created (intermediate ones included, e.g. `/v1`), so a method
   * a resource does not define reaches the fallback (405 with `Allow`) instead of API Gateway's 403.
   * A resource with partner routes at or below it keeps the authorizer: without a key the answer is
   * 401, and a partner's fallback calls count against its own usage plan. `ANY /` and `/{proxy+}`
   * catch paths outside the catalog and answer 404 to anyone.
   */
  private addFallbacks(routes: readonly ApiRouteFunction[], fallback: ProjectFunction): void {
    // One API-wide permission for the fallback instead of one per method: its resource policy stays small as routes grow.
    const integration = new apigw.LambdaIntegration(fallback.fn, { scopePermissionToMethod: false });
    const paths = new Set<string>();
    for (const { trigger } of routes) {
      const segments = trigger.path.split('/').filter(Boolean);
      for (let i = 1; i <= segments.length; i++) paths.add('/' + segments.slice(0, i).join('/'));
    }
    for (const path of paths) {
      const auth = routes.some(({ trigger }) => trigger.auth === 'partner' && (trigger.path === path || trigger.path.startsWith(path + '/')))
        ? 'partner'
        : 'none';
      const method = this.api.root.resourceForPath(path).addMethod('ANY', integration, this.methodAuth(auth));
      this.acknowledgeMethod(method, auth, `fallback for undefined methods under a public path: it only answers 405/404 and reads nothing`);
    }
    const publicReason = 'catch-all for paths outside the catalog: it only answers 404 problem+json and reads nothing';
    this.acknowledgeMethod(this.api.root.addMethod('ANY', integration, this.methodAuth('none')), 'none', publicReason);
    this.acknowledgeMethod(this.api.root.addResource('{proxy+}').addMethod('ANY', integration, this.methodAuth('none')), 'none', publicReason);
  }

  private methodAuth(auth: 'partner' | 'none'): apigw.MethodOptions {
    return auth === 'partner'
      ? { authorizer: this.authorizer, authorizationType: apigw.AuthorizationType.CUSTOM, apiKeyRequired: true }
      : { authorizationType: apigw.AuthorizationType.NONE };
  }

  private acknowledgeMethod(method: apigw.Method, auth: 'partner' | 'none', publicReason: string): void {
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: COGNITO_REASON });
    if (auth === 'none') Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: `Public on purpose: ${publicReason}.` });
  }

  private acknowledgeApiFindings(): void {
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Requests are validated in every handler by strict zod schemas that reject unknown fields and answer problem+json ' +
        'with field errors; an API Gateway validator would answer a different error shape and cannot express strictness.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'The API is partner-only behind API keys with per-partner throttling and quotas (usage plan) and a stage-wide ' +
        'throttle; a WAF web ACL is an operator choice per environment and can be associated without code changes.',
    });
    const cloudWatchRole = this.api.node.findChild('CloudWatchRole');
    Validations.of(cloudWatchRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway assumes to write execution logs; AWS maintains this service-role policy for ' +
        'exactly that purpose and it grants nothing beyond CloudWatch Logs.',
    });
  }
}

/**
 * One JSON object per request: who (partner), what (route), outcome and latency. Never the key
 * itself, and the route template rather than the path: a portal sign-in link carries its secret
 * token in the path.
 */
function accessLogFormat(): apigw.AccessLogFormat {
  const F = apigw.AccessLogField;
  return apigw.AccessLogFormat.custom(
    JSON.stringify({
      requestId: F.contextRequestId(),
      extendedRequestId: F.contextExtendedRequestId(),
      requestTime: F.contextRequestTime(),
      ip: F.contextIdentitySourceIp(),
      method: F.contextHttpMethod(),
      resourcePath: F.contextResourcePath(),
      protocol: F.contextProtocol(),
      status: F.contextStatus(),
      responseLength: F.contextResponseLength(),
      responseLatency: F.contextResponseLatency(),
      integrationLatency: F.contextIntegrationLatency(),
      partnerId: F.contextAuthorizer('partnerId'),
      keyId: F.contextAuthorizer('keyId'),
      portalSessionId: F.contextAuthorizer('portalSessionId'),
      authorizerError: F.contextAuthorizerError(),
      errorType: F.contextErrorResponseType(),
      errorMessage: F.contextErrorMessage(),
      xrayTraceId: F.contextXrayTraceId(),
    }),
  );
}

import { Match, Template } from 'aws-cdk-lib/assertions';
import { AUTHORIZER_CACHE_SECONDS, apiRoutes, catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { PROBLEM_TYPE_BASE } from '../../shared/http/problem';
import { buildApp, type CfnResource } from './app-fixture';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures';

interface MethodView {
  path: string;
  httpMethod: string;
  props: Record<string, any>;
}

/** Every API Gateway method with its full path, resolved through the Resource parent chain. */
function methods(template: Template): MethodView[] {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, CfnResource>;
  const pathOf = (ref: any): string => {
    if (ref['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
    const resource = resources[ref.Ref]!;
    return `${pathOf(resource.Properties!.ParentId)}/${resource.Properties!.PathPart}`;
  };
  return Object.values(template.findResources('AWS::ApiGateway::Method') as Record<string, CfnResource>).map((m) => ({
    path: pathOf(m.Properties!.ResourceId) || '/',
    httpMethod: m.Properties!.HttpMethod,
    props: m.Properties!,
  }));
}

/** The logical id of the Lambda function a proxy integration invokes. */
// The API is a nested stack: a function's ARN arrives as a parameter named after the function's
// path (with a hash of its own), so functions are compared by that name.
const integrationTarget = (method: MethodView): string => JSON.stringify(method.props.Integration.Uri).match(/(Functions[A-Za-z0-9]+?Function)[A-F0-9]{8}Arn"/)![1]!;

describe('partner REST API from the real catalog', () => {
  let template: Template;
  let platform: Template;
  let all: MethodView[];
  let authorizerId: string;
  let fallbackFunction: string;
  beforeAll(() => {
    const built = buildApp();
    template = built.apiTemplate();
    platform = built.platformTemplate();
    all = methods(template);
    authorizerId = Object.keys(template.findResources('AWS::ApiGateway::Authorizer'))[0]!;
    fallbackFunction = Object.keys(platform.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('FunctionsRouteFallbackFunction'))!;
  });

  it('defines every catalog route with its method, its function as a Lambda proxy, and its authorizer', () => {
    for (const route of apiRoutes()) {
      const method = all.find((m) => m.path === route.trigger.path && m.httpMethod === route.trigger.method);
      expect(method).toBeDefined();
      expect(method!.props.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(integrationTarget(method!)).toBe(`Functions${pascalCase(route.id)}Function`);
      if (route.trigger.auth === 'partner') {
        expect(method!.props).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId }, ApiKeyRequired: true });
      } else {
        expect(method!.props.AuthorizationType).toBe('NONE');
        expect(method!.props.ApiKeyRequired).toBeFalsy();
      }
    }
  });

  it('adds an ANY fallback on every resource, the root and a root {proxy+}, all to the route-fallback function', () => {
    const resourcePaths = new Set(all.map((m) => m.path));
    for (const path of resourcePaths) {
      const any = all.find((m) => m.path === path && m.httpMethod === 'ANY');
      expect({ path, any: Boolean(any) }).toEqual({ path, any: true });
      expect(integrationTarget(any!)).toBe(fallbackFunction.replace(/[A-F0-9]{8}$/, ''));
    }
    expect(resourcePaths).toContain('/');
    expect(resourcePaths).toContain('/{proxy+}');
    expect(resourcePaths).toContain('/v1');
    for (const route of apiRoutes()) expect(resourcePaths).toContain(route.trigger.path);
  });

  it('keeps the authorizer on fallbacks under partner routes; unknown paths answer 404 to anyone', () => {
    const fallbackAuth = (path: string) => all.find((m) => m.path === path && m.httpMethod === 'ANY')!.props.AuthorizationType;
    expect(fallbackAuth('/v1/customers')).toBe('CUSTOM');
    expect(fallbackAuth('/v1')).toBe('CUSTOM');
    expect(fallbackAuth('/openapi.json')).toBe('NONE');
    expect(fallbackAuth('/')).toBe('NONE');
    expect(fallbackAuth('/{proxy+}')).toBe('NONE');
  });

  it('uses a REQUEST authorizer the gateway asks for every request (a portal cookie carries no Authorization), keeping the 60 s per-key cache in the function', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: Match.absent(),
      AuthorizerResultTtlInSeconds: 0,
      AuthorizerUri: Match.anyValue(),
    });
    const authorizers = platform.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'authorizer' } } } });
    expect(Object.values(authorizers).map((f) => f.Properties.Environment.Variables.AUTHORIZER_KEY_CACHE_SECONDS)).toEqual([String(AUTHORIZER_CACHE_SECONDS)]);
    // No other function caches keys.
    const others = platform.findResources('AWS::Lambda::Function');
    const caching = Object.values(others).filter((f) => f.Properties.Environment?.Variables?.AUTHORIZER_KEY_CACHE_SECONDS !== undefined);
    expect(caching).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER', EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('throttles per partner through a usage plan with defaults', () => {
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 25, BurstLimit: 50 },
      Quota: { Limit: 100000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ ApiId: Match.anyValue(), Stage: Match.anyValue() })],
    });
  });

  it('traces, logs access as JSON (with the partner id) and execution errors without bodies', () => {
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage')) as CfnResource[];
    expect(stage!.Properties).toMatchObject({ StageName: 'dev', TracingEnabled: true });
    const format = JSON.parse(stage!.Properties!.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', partnerId: '$context.authorizer.partnerId' });
    // The route template only: a portal sign-in link's path is its secret token.
    expect(format).toMatchObject({ resourcePath: '$context.resourcePath' });
    expect(JSON.stringify(format)).not.toContain('$context.path');
    expect(stage!.Properties!.MethodSettings).toEqual([
      expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false }),
    ]);
    expect(stage!.Properties!.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PartnerApiAccessLogs/), 'Arn'] });
  });

  it.each([
    ['UNAUTHORIZED', '401', 'unauthorized'],
    ['ACCESS_DENIED', '403', 'partner-suspended'],
    ['THROTTLED', '429', 'rate-limited'],
    ['QUOTA_EXCEEDED', '429', 'quota-exceeded'],
    ['REQUEST_TOO_LARGE', '413', 'payload-too-large'],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'not-found'],
    ['DEFAULT_4XX', '400', 'bad-request'],
    ['DEFAULT_5XX', '500', 'internal-error'],
  ])('answers %s with %s application/problem+json', (type, status, slug) => {
    const [response] = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse', { Properties: { ResponseType: type } })) as CfnResource[];
    expect(response!.Properties).toMatchObject({
      StatusCode: status,
      ResponseParameters: expect.objectContaining({ 'gatewayresponse.header.Content-Type': "'application/problem+json'" }),
    });
    // Substitute API Gateway's variables the way it does, then read the body as a client would.
    const body = JSON.parse(
      response!.Properties!.ResponseTemplates['application/json'].replace('$context.error.messageString', '"message"').replace('$context.requestId', 'req-1'),
    );
    expect(body).toEqual({ type: PROBLEM_TYPE_BASE + slug, title: expect.any(String), status: Number(status), detail: expect.any(String), instance: 'req-1' });
  });

  it('sends the Bearer challenge with 401', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.WWW-Authenticate': Match.stringLikeRegexp('^\'Bearer') }),
    });
  });

  it('outputs what the operator CLI reads', () => {
    const outputs = platform.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'RestApiId', 'UsagePlanId', 'TableName', 'TokenKeyArn', 'Region']));
    expect(Object.keys(outputs).filter((name) => name.startsWith('PartnerApi'))).toEqual([]);
    expect(JSON.stringify(outputs.ApiUrl!.Value)).not.toMatch(/"\/"\]/);
  });

  it('invokes only functions from the catalog', () => {
    expect(Object.keys(platform.findResources('AWS::Lambda::Function'))).toHaveLength(catalog.length);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(0);
  });
});

describe('partner API settings and growth', () => {
  it('takes per-partner limits from context', () => {
    const { apiTemplate } = buildApp({}, { partnerRateLimit: '5', partnerBurstLimit: '10', partnerQuotaPerDay: '1000', stage: 'prod' });
    const template = apiTemplate();
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 5, BurstLimit: 10 }, Quota: { Limit: 1000, Period: 'DAY' } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'prod' });
  });

  it('refuses bad context values with the setting name', () => {
    expect(() => buildApp({}, { stage: 'Prod!' })).toThrow('Context "stage"');
    expect(() => buildApp({}, { partnerRateLimit: 'fast' })).toThrow('Context "partnerRateLimit"');
    expect(() => buildApp({}, { logRetentionDays: '31' })).toThrow('Context "logRetentionDays"');
  });

  it('adds new routes, their intermediate resources and fallbacks without code changes', () => {
    const { apiTemplate } = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES });
    const all = methods(apiTemplate());
    expect(all.find((m) => m.path === '/v1/customers/{id}/onboarding' && m.httpMethod === 'POST')).toBeDefined();
    expect(all.find((m) => m.path === '/v1/customers/{id}/onboarding' && m.httpMethod === 'ANY')).toBeDefined();
  });
});

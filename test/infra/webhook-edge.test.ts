import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { AwsSolutionsChecks } from 'cdk-nag';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { buildApp, asArray, policyStatements, type CfnResource } from './app-fixture';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures';

const PARAMETER = '/switchboard/dev/webhook-base-url';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const receivers = catalog.flatMap((f) => (f.trigger.kind === 'functionUrl' ? [{ id: f.id, name: f.trigger.name }] : []));
const needsBaseUrl = catalog.filter((f) => f.trigger.kind === 'functionUrl' || f.access.twilioMaster || f.access.keys?.length);

const only = (template: Template, type: string): CfnResource => {
  const found = Object.values(template.findResources(type)) as CfnResource[];
  expect(found).toHaveLength(1);
  return found[0]!;
};
const logicalIdOf = (template: Template, type: string): string => Object.keys(template.findResources(type))[0]!;
/** The role policy statements of one catalog function. */
const statementsOf = (template: Template, id: string) =>
  policyStatements(template).filter(({ policy }) => policy.startsWith(`Functions${pascalCase(id)}Role`)).map(({ statement }) => statement);
const functionOf = (template: Template, id: string): CfnResource => {
  const [entry] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([logicalId]) => logicalId.startsWith(`Functions${pascalCase(id)}Function`));
  return entry![1] as CfnResource;
};

describe('webhook distribution of a deploy without context', () => {
  const built = buildApp();
  const template = built.platformTemplate();
  const config = only(template, 'AWS::CloudFront::Distribution').Properties!.DistributionConfig;

  it('routes /<name> to each receiver function URL, uncached, all methods, viewer headers and query but not Host', () => {
    const urls = template.findResources('AWS::Lambda::Url') as Record<string, CfnResource>;
    const behaviours = config.CacheBehaviors as Array<Record<string, any>>;
    expect(behaviours.map((b) => b.PathPattern).sort()).toEqual(receivers.map((r) => `/${r.name}`).sort());
    for (const receiver of receivers) {
      const behaviour = behaviours.find((b) => b.PathPattern === `/${receiver.name}`)!;
      expect(behaviour).toMatchObject({
        CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
        ViewerProtocolPolicy: 'https-only',
      });
      expect([...behaviour.AllowedMethods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
      // The behaviour's origin is the host of this receiver's own function URL.
      const origin = (config.Origins as Array<Record<string, any>>).find((o) => o.Id === behaviour.TargetOriginId)!;
      const urlId = origin.DomainName['Fn::Select'][1]['Fn::Split'][1]['Fn::GetAtt'][0] as string;
      expect(urls[urlId]!.Properties!.TargetFunctionArn['Fn::GetAtt'][0]).toMatch(new RegExp(`^Functions${pascalCase(receiver.id)}Function`));
      expect(urls[urlId]!.Properties!.AuthType).toBe('NONE');
    }
    // Every other path is a 404 from a CloudFront function, not a receiver invocation.
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Function'), 'FunctionARN'] } }]);
    expect(config.Logging.Bucket).toBeDefined();
  });

  it('sits behind a CLOUDFRONT web ACL with a per-IP rate-based rule', () => {
    const acl = only(template, 'AWS::WAFv2::WebACL').Properties!;
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Rules).toEqual([
      expect.objectContaining({ Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 20000, EvaluationWindowSec: 300 } } }),
    ]);
    expect(config.WebACLId).toEqual({ 'Fn::GetAtt': [logicalIdOf(template, 'AWS::WAFv2::WebACL'), 'Arn'] });
  });

  it('writes https://<distribution domain> to the stage parameter and outputs it', () => {
    const distribution = logicalIdOf(template, 'AWS::CloudFront::Distribution');
    const baseUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] };
    expect(only(template, 'AWS::SSM::Parameter').Properties).toMatchObject({ Name: PARAMETER, Type: 'String', Value: baseUrl });
    template.hasOutput('WebhookBaseUrl', { Value: baseUrl });
  });

  it('tells receivers and Twilio callers the parameter name, with GetParameter on exactly that parameter', () => {
    const parameterArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${PARAMETER}`]],
    };
    for (const spec of catalog) {
      const fn = functionOf(template, spec.id).Properties!;
      // The portal's base URL parameter is another one (test/infra/portal-site.test.ts).
      const ssmStatements = statementsOf(template, spec.id).filter((s) => asArray(s.Action).some((a) => a.startsWith('ssm:')) && !JSON.stringify(s.Resource).includes('portal-base-url'));
      if (needsBaseUrl.includes(spec)) {
        expect(fn.Environment.Variables).toMatchObject({ WEBHOOK_BASE_URL_PARAMETER: PARAMETER, PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'false' });
        expect(fn.Layers).toHaveLength(1);
        expect(ssmStatements).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: parameterArn })]);
      } else {
        expect(fn.Environment.Variables.WEBHOOK_BASE_URL_PARAMETER).toBeUndefined();
        expect(ssmStatements).toEqual([]);
      }
      expect(fn.Environment.Variables.WEBHOOK_BASE_URL).toBeUndefined();
    }
  });

  it('warns no longer that receivers lack a base URL', () => {
    Annotations.fromStack(built.platform).hasNoWarning('*', Match.stringLikeRegexp('webhookBaseUrl'));
  });
});

describe('webhook distribution with a custom domain', () => {
  const context = { webhookBaseUrl: 'https://hooks.example.com', webhookCertificateArn: CERTIFICATE, webhookRateLimit: '500' };
  const template = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, context).platformTemplate();

  it('serves the domain with its certificate over TLS 1.2 and writes it to the parameter', () => {
    const config = only(template, 'AWS::CloudFront::Distribution').Properties!.DistributionConfig;
    expect(config.Aliases).toEqual(['hooks.example.com']);
    expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(only(template, 'AWS::SSM::Parameter').Properties).toMatchObject({ Name: PARAMETER, Value: 'https://hooks.example.com' });
    template.hasOutput('WebhookBaseUrl', { Value: 'https://hooks.example.com' });
  });

  it('takes the rate limit from context', () => {
    expect(only(template, 'AWS::WAFv2::WebACL').Properties!.Rules[0].Statement.RateBasedStatement.Limit).toBe(500);
  });
});

describe('webhook domain settings', () => {
  const build = (context: Record<string, unknown>) => () => buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, context);

  it.each([
    [{ webhookBaseUrl: 'https://hooks.example.com' }, /"webhookBaseUrl" \(https:\/\/hooks.example.com\) needs "webhookCertificateArn".*us-east-1/],
    [{ webhookCertificateArn: CERTIFICATE }, /"webhookCertificateArn" is given without "webhookBaseUrl"/],
    [{ webhookBaseUrl: 'https://hooks.example.com', webhookCertificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') }, /ACM certificate ARN in us-east-1/],
    [{ webhookBaseUrl: 'https://hooks.example.com/twilio', webhookCertificateArn: CERTIFICATE }, /"webhookBaseUrl" must be https:\/\/<lowercase domain name> with no path/],
    [{ webhookBaseUrl: 'http://hooks.example.com', webhookCertificateArn: CERTIFICATE }, /"webhookBaseUrl" must be https/],
    [{ webhookRateLimit: '5' }, /"webhookRateLimit" must be a whole number .* from 10/],
  ])('refuses %j with a clear error', (context, message) => {
    expect(build(context)).toThrow(message);
  });
});

describe('webhook firewall of a platform outside us-east-1', () => {
  const previous = process.env.CDK_DEFAULT_REGION;
  let built: ReturnType<typeof buildApp>;
  beforeAll(() => {
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    // The reference strength cdk.json sets: CloudFormation reads the other region's output itself.
    built = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, { '@aws-cdk/core:defaultCrossStackReferences': 'weak' });
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.CDK_DEFAULT_REGION;
    else process.env.CDK_DEFAULT_REGION = previous;
  });

  it('creates the web ACL in a us-east-1 stack and attaches it to the distribution across regions', () => {
    expect(built.webhookFirewall?.region).toBe('us-east-1');
    expect(built.platform.region).toBe('eu-west-1');
    const firewall = Template.fromStack(built.webhookFirewall!);
    expect(only(firewall, 'AWS::WAFv2::WebACL').Properties!.Scope).toBe('CLOUDFRONT');

    const platform = built.platformTemplate();
    platform.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const webAclId = only(platform, 'AWS::CloudFront::Distribution').Properties!.DistributionConfig.WebACLId;
    const output = webAclId['Fn::GetStackOutput'];
    expect(output).toEqual({ StackName: built.webhookFirewall!.stackName, Region: 'us-east-1', OutputName: expect.any(String) });
    expect(firewall.toJSON().Outputs[output.OutputName].Value).toEqual({ 'Fn::GetAtt': [logicalIdOf(firewall, 'AWS::WAFv2::WebACL'), 'Arn'] });
    // `cdk deploy --all` deploys the firewall stack first.
    expect(built.platform.dependencies).toContain(built.webhookFirewall);
  });

  it('stays cdk-nag clean with the cross-region reference in place', () => {
    built.app.synth();
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`))).toEqual([]);
  });
});

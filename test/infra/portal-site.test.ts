import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { catalog } from '../../infra/catalog';
import { pascalCase } from '../../infra/constructs/catalog-types';
import { PORTAL_API_PATHS, PORTAL_VIEWER_REQUEST_CODE, builtPortal } from '../../infra/constructs/portal-site';
import { serveStatic } from '../../infra/local/static-site';
import { portalSecurityHeaders } from '../../shared/http/portal-headers';
import { PROJECT_ROOT } from '../../infra/stacks/switchboard';
import { asArray, buildApp, policyStatements, type CfnResource } from './app-fixture';
import { FIXTURE_FUNCTIONS, FIXTURE_QUEUES } from './fixtures';
import type { Template } from 'aws-cdk-lib/assertions';

const PARAMETER = '/switchboard/dev/portal-base-url';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

const resources = (template: Template, type: string) => Object.entries(template.findResources(type)) as Array<[string, CfnResource]>;
const only = (template: Template, type: string): [string, CfnResource] => {
  const found = resources(template, type);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const idOf = (template: Template, type: string, prefix: string): string => resources(template, type).find(([id]) => id.startsWith(prefix))![0];

/** The CloudFront Function's code, run as CloudFront runs it on a viewer request. */
function viewerRequest(uri: string): { uri?: string; statusCode?: number; headers?: Record<string, { value: string }> } {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the function's own source, as deployed
  const handler = new Function(`${PORTAL_VIEWER_REQUEST_CODE}; return handler;`)() as (event: unknown) => Record<string, unknown>;
  return handler({ request: { method: 'GET', uri, headers: {}, querystring: {}, cookies: {} } });
}

describe('portal site of a deploy without context', () => {
  const built = buildApp();
  const template = built.portalTemplate();
  const [distributionId, distribution] = only(template, 'AWS::CloudFront::Distribution');
  const config = distribution.Properties!.DistributionConfig;
  const origins = config.Origins as Array<Record<string, any>>;
  const siteBucketId = idOf(template, 'AWS::S3::Bucket', 'PortalSiteFiles');
  const s3Origin = origins.find((o) => o.S3OriginConfig)!;
  const apiOrigin = origins.find((o) => o.CustomOriginConfig)!;
  const behaviours = config.CacheBehaviors as Array<Record<string, any>>;

  it('keeps the files in a private, encrypted, TLS-only bucket with no website hosting', () => {
    const bucket = template.toJSON().Resources[siteBucketId].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(bucket.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: idOf(template, 'AWS::S3::Bucket', 'PortalSiteAccessLogs') });
  });

  it('lets only this distribution read the bucket, through origin access control', () => {
    const [, oac] = only(template, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.Properties!.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    expect(s3Origin.DomainName).toEqual({ 'Fn::GetAtt': [siteBucketId, 'RegionalDomainName'] });
    expect(s3Origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [idOf(template, 'AWS::CloudFront::OriginAccessControl', ''), 'Id'] });
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');

    const policy = resources(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties!.Bucket.Ref === siteBucketId)![1];
    const statements = policy.Properties!.PolicyDocument.Statement as Array<Record<string, any>>;
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [siteBucketId, 'Arn'] }, '/*']] },
        Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::', { Ref: 'AWS::AccountId' }, ':distribution/', { Ref: distributionId }]] } } },
      },
    ]);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  it("sends the portal's API paths to the API's stage, uncached, every method, every viewer header but Host", () => {
    expect(behaviours.map((b) => b.PathPattern).sort()).toEqual([...PORTAL_API_PATHS, '/portal/*'].sort());
    // CloudFront takes the first pattern that matches: the API's /portal/… paths come before the site's.
    const order = behaviours.map((b) => b.PathPattern);
    expect(order.indexOf('/portal/link/*')).toBeLessThan(order.indexOf('/portal/*'));
    expect(order.indexOf('/portal/logout')).toBeLessThan(order.indexOf('/portal/*'));
    expect(apiOrigin.OriginPath).toBe('/dev');
    expect(apiOrigin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('.execute-api.');
    for (const path of PORTAL_API_PATHS) {
      const behaviour = behaviours.find((b) => b.PathPattern === path)!;
      expect({ path, ...behaviour }).toMatchObject({
        path,
        TargetOriginId: apiOrigin.Id,
        CachePolicyId: cloudfront.CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
        ViewerProtocolPolicy: 'redirect-to-https',
      });
      expect([...behaviour.AllowedMethods].sort()).toEqual(ALL_METHODS);
      // API answers keep their own headers and errors.
      expect(behaviour.ResponseHeadersPolicyId).toBeUndefined();
      expect(behaviour.FunctionAssociations).toBeUndefined();
    }
    // No distribution-wide error page: it would turn API errors into the app's index.html.
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('serves the site (default and /portal/*) from the bucket, cached as its objects say, with the security headers and the app-route function', () => {
    const [cachePolicyId, cachePolicy] = only(template, 'AWS::CloudFront::CachePolicy');
    expect(cachePolicy.Properties!.CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      MaxTTL: 31_536_000,
      ParametersInCacheKeyAndForwardedToOrigin: {
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
        CookiesConfig: { CookieBehavior: 'none' },
        HeadersConfig: { HeaderBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      },
    });
    const functionId = idOf(template, 'AWS::CloudFront::Function', '');
    const headersPolicyId = idOf(template, 'AWS::CloudFront::ResponseHeadersPolicy', '');
    for (const behaviour of [config.DefaultCacheBehavior, behaviours.find((b) => b.PathPattern === '/portal/*')!]) {
      expect(behaviour).toMatchObject({
        TargetOriginId: s3Origin.Id,
        CachePolicyId: { Ref: cachePolicyId },
        ResponseHeadersPolicyId: { Ref: headersPolicyId },
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        Compress: true,
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }],
      });
    }
    expect(config.Logging).toMatchObject({ Bucket: { 'Fn::GetAtt': [idOf(template, 'AWS::S3::Bucket', 'PortalSiteAccessLogs'), 'RegionalDomainName'] }, Prefix: 'portal/' });
    expect(config.ViewerCertificate).toBeUndefined();
  });

  it('sends the headers and CSP the local platform sends, plus HSTS', async () => {
    const [, policy] = only(template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const security = policy.Properties!.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    // What the local platform answers for the portal's page, from a built site of one file.
    const dir = mkdtempSync(join(tmpdir(), 'portal-site-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Portal</title>');
    const local = (await serveStatic({ prefix: '/portal', dir }, 'GET', '/portal/'))!.headers as Record<string, string>;
    rmSync(dir, { recursive: true });

    expect(security.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: local['content-security-policy'], Override: true });
    expect(local['content-security-policy']).toContain("script-src 'self'");
    expect(local['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(security.ContentTypeOptions).toEqual({ Override: true });
    expect(local['x-content-type-options']).toBe('nosniff');
    expect(security.FrameOptions).toEqual({ FrameOption: local['x-frame-options'], Override: true });
    expect(security.ReferrerPolicy).toEqual({ ReferrerPolicy: local['referrer-policy'], Override: true });
    expect(security.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: false, Override: true });
    expect(local['strict-transport-security']).toBeUndefined();
    expect(portalSecurityHeaders({ https: true })['strict-transport-security']).toBe('max-age=31536000');
    expect(policy.Properties!.ResponseHeadersPolicyConfig.CustomHeadersConfig).toBeUndefined();
  });

  it('deploys the function it was written as, which sends app routes to index.html and leaves files alone', () => {
    const [, fn] = only(template, 'AWS::CloudFront::Function');
    expect(fn.Properties).toMatchObject({ FunctionCode: PORTAL_VIEWER_REQUEST_CODE, FunctionConfig: { Runtime: 'cloudfront-js-2.0' }, AutoPublish: true });

    expect(viewerRequest('/portal/').uri).toBe('/portal/index.html');
    expect(viewerRequest('/portal/templates').uri).toBe('/portal/index.html');
    expect(viewerRequest('/portal/customers/cus_01/messages').uri).toBe('/portal/index.html');
    expect(viewerRequest('/portal/index.html').uri).toBe('/portal/index.html');
    expect(viewerRequest('/portal/assets/index-BK5swQs7.js').uri).toBe('/portal/assets/index-BK5swQs7.js');
    expect(viewerRequest('/favicon.ico').uri).toBe('/favicon.ico');
    for (const uri of ['/', '/portal']) {
      expect(viewerRequest(uri)).toEqual({ statusCode: 308, statusDescription: 'Permanent Redirect', headers: { location: { value: '/portal/' } } });
    }
  });

  it('deploys the build in two pruned parts: assets immutable first, then index.html no-cache with its invalidation', () => {
    const deployments = resources(template, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(2);
    const [assetsId, assets] = deployments.find(([id]) => id.startsWith('PortalSiteDeployAssets'))!;
    const [, pages] = deployments.find(([id]) => id.startsWith('PortalSiteDeployPages'))!;
    const common = { DestinationBucketName: { Ref: siteBucketId }, DestinationBucketKeyPrefix: 'portal/', Prune: true };
    expect(assets.Properties).toMatchObject({ ...common, Exclude: ['*'], Include: ['assets/*'], SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(assets.Properties!.DistributionId).toBeUndefined();
    expect(pages.Properties).toMatchObject({
      ...common,
      Exclude: ['assets/*'],
      SystemMetadata: { 'cache-control': 'no-cache' },
      DistributionId: { Ref: distributionId },
      DistributionPaths: ['/portal/index.html'],
    });
    expect((pages as CfnResource & { DependsOn: string[] }).DependsOn).toContain(assetsId);
  });

  it('writes https://<distribution domain> to the stage parameter and outputs it', () => {
    const baseUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }]] };
    expect(only(template, 'AWS::SSM::Parameter')[1].Properties).toMatchObject({ Name: PARAMETER, Type: 'String', Value: baseUrl });
    const outputs = built.platformTemplate().toJSON().Outputs;
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['PortalBaseUrl', 'PortalDistributionDomain']));
    // The nested stack's value, as the parent reads it: the CLI's `portal open --stack` builds links on it.
    expect(JSON.stringify(outputs.PortalBaseUrl.Value)).toContain('PortalSiteDistribution');
  });

  it('tells the functions that mint portal links the parameter name, with GetParameter on exactly that parameter', () => {
    const platform = built.platformTemplate();
    const parameterArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:parameter${PARAMETER}`]],
    };
    const minting = catalog.filter((f) => f.access.portalLinks).map((f) => f.id);
    expect(minting.sort()).toEqual(['customers-portal-sessions-create', 'portal-sessions-create']);
    const functions = resources(platform, 'AWS::Lambda::Function');
    for (const spec of catalog) {
      const [, fn] = functions.find(([id]) => id.startsWith(`Functions${pascalCase(spec.id)}Function`))!;
      const onParameter = policyStatements(platform)
        .filter(({ policy }) => policy.startsWith(`Functions${pascalCase(spec.id)}Role`))
        .map(({ statement }) => statement)
        .filter((st) => JSON.stringify(st.Resource).includes('portal-base-url'));
      if (minting.includes(spec.id)) {
        expect(fn.Properties!.Environment.Variables).toMatchObject({ PORTAL_BASE_URL_PARAMETER: PARAMETER, PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'false' });
        expect(fn.Properties!.Layers).toHaveLength(1);
        expect(onParameter).toEqual([expect.objectContaining({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: parameterArn })]);
      } else {
        expect({ id: spec.id, variable: fn.Properties!.Environment.Variables.PORTAL_BASE_URL_PARAMETER }).toEqual({ id: spec.id, variable: undefined });
        expect(onParameter.flatMap((st) => asArray(st.Action))).toEqual([]);
      }
    }
  });
});

describe('portal site with a custom domain', () => {
  const context = { portalBaseUrl: 'https://portal.example.com', portalCertificateArn: CERTIFICATE };
  const template = buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, context).portalTemplate();

  it('serves the domain with its certificate over TLS 1.2 and writes it to the parameter', () => {
    const config = only(template, 'AWS::CloudFront::Distribution')[1].Properties!.DistributionConfig;
    expect(config.Aliases).toEqual(['portal.example.com']);
    expect(config.ViewerCertificate).toEqual({ AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(only(template, 'AWS::SSM::Parameter')[1].Properties).toMatchObject({ Name: PARAMETER, Value: 'https://portal.example.com' });
  });

  it.each([
    [{ portalBaseUrl: 'https://portal.example.com' }, /"portalBaseUrl" \(https:\/\/portal.example.com\) needs "portalCertificateArn".*us-east-1/],
    [{ portalCertificateArn: CERTIFICATE }, /"portalCertificateArn" is given without "portalBaseUrl"/],
    [{ portalBaseUrl: 'https://portal.example.com/app', portalCertificateArn: CERTIFICATE }, /"portalBaseUrl" must be https:\/\/<lowercase domain name> with no path/],
    [{ portalBaseUrl: 'https://portal.example.com', portalCertificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') }, /"portalCertificateArn" must be an ACM certificate ARN in us-east-1/],
  ])('refuses %j with a clear error', (bad, message) => {
    expect(() => buildApp({ functions: FIXTURE_FUNCTIONS, queues: FIXTURE_QUEUES }, bad)).toThrow(message);
  });
});

describe('the portal build the synth deploys', () => {
  // A copy of the portal's sources in a project of its own, built with the project's Vite.
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'portal-build-'));
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    for (const part of ['src', 'index.html', 'vite.config.ts', 'tsconfig.json']) cpSync(join(PROJECT_ROOT, 'portal', part), join(root, 'portal', part), { recursive: true });
    // The value lists the portal's forms share with the API.
    cpSync(join(PROJECT_ROOT, 'shared', 'domain', 'customer-values.ts'), join(root, 'shared', 'domain', 'customer-values.ts'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is built when missing and rebuilt when a source is newer than it', async () => {
    const dist = builtPortal(root);
    expect(dist).toBe(join(root, 'portal', 'dist'));
    expect(existsSync(join(dist, 'index.html'))).toBe(true);
    // The production build, though the test runner's NODE_ENV is `test`: without preact/debug,
    // whose component stacks name source files.
    expect(process.env.NODE_ENV).toBe('test');
    const scripts = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(readFileSync(join(dist, 'assets', script), 'utf8')).not.toMatch(/\(at "\+\w+\.fileName/);

    // A source changed after the build: the next synth builds again.
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dist, 'index.html'), old, old);
    writeFileSync(join(root, 'portal', 'src', 'touched.ts'), 'export const touched = true;\n');
    builtPortal(root);
    expect(Date.now() - statSync(join(dist, 'index.html')).mtimeMs).toBeLessThan(30_000);
  }, 60_000);

  it('stops the synth saying what to run when the build fails', () => {
    writeFileSync(join(root, 'portal', 'src', 'main.tsx'), 'export const broken = ;\n');
    expect(() => builtPortal(root)).toThrow(/^The portal could not be built for deployment \(run "npm run portal:build" to see why\)/);
  }, 60_000);
});

describe("a deploy with the platform's Meta app", () => {
  const context = { metaAppId: '1234567890', metaEmbeddedSignupConfigId: '9876543210' };
  const built = buildApp({}, context);

  it("lets the portal load Meta's Embedded Signup (its CSP names Meta's origins) and tells the embedded-signup route the ids", () => {
    const [, policy] = only(built.portalTemplate(), 'AWS::CloudFront::ResponseHeadersPolicy');
    const csp = policy.Properties!.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toBe(portalSecurityHeaders({ https: true, metaEmbeddedSignup: true })['content-security-policy']);
    expect(csp).toContain('https://connect.facebook.net');
    const withMeta = resources(built.platformTemplate(), 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.META_APP_ID);
    expect(withMeta.map(([, r]) => r.Properties!.Environment.Variables)).toEqual([expect.objectContaining({ META_APP_ID: '1234567890', META_EMBEDDED_SIGNUP_CONFIG_ID: '9876543210' })]);
    expect(withMeta[0]![0]).toMatch(/WhatsappSendersEmbeddedSignup/);
  });

  it("keeps Meta's origins out of the CSP without it", () => {
    const [, policy] = only(buildApp().portalTemplate(), 'AWS::CloudFront::ResponseHeadersPolicy');
    expect(JSON.stringify(policy)).not.toContain('facebook');
  });

  it.each([[{ metaAppId: '1234567890' }], [{ metaEmbeddedSignupConfigId: '9876543210' }], [{ metaAppId: 'abc', metaEmbeddedSignupConfigId: '9876543210' }]])('refuses %j with a clear error', (bad) => {
    expect(() => buildApp({}, bad)).toThrow(/Context "meta(AppId|EmbeddedSignupConfigId)"/);
  });
});

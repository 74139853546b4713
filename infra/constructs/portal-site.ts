import { DefaultStackSynthesizer, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { distributionDomain } from './distribution-domain';
import { ensurePortalBuilt } from '../local/portal-build';
import { portalSecurityHeaders } from '../../shared/http/portal-headers';
import type { CustomDomain } from '../stacks/settings';

/** The SSM parameter holding the portal's public base URL: a fixed name per stage, so functions can be told it without referencing the distribution. */
export const portalBaseUrlParameterName = (stage: string): string => `/switchboard/${stage}/portal-base-url`;

/** The parameter's ARN built from its fixed name: a function's policy referencing the resource would close a cycle through the distribution and the API. */
export function portalBaseUrlParameterArn(scope: Construct, stage: string): string {
  return Stack.of(scope).formatArn({ service: 'ssm', resource: 'parameter', resourceName: portalBaseUrlParameterName(stage).slice(1) });
}

/** The API's paths the portal calls, routed to the API origin; everything else is the site. */
export const PORTAL_API_PATHS = ['/v1/*', '/portal/link/*', '/portal/logout', '/openapi.json'] as const;

/** Where the site's files live in the bucket and under which path it is served (Vite's `base`). */
const SITE_PREFIX = 'portal';

/**
 * Viewer-request function of the site's behaviours (CloudFront Functions, JS 2.0): the bare origin
 * and `/portal` move to `/portal/`, and an app route (a last path segment without an extension,
 * e.g. `/portal/templates`) is answered with the app's index.html, as the local platform does, so a
 * reload or a shared address works. Only the site's behaviours run it: API errors stay the API's.
 */
export const PORTAL_VIEWER_REQUEST_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/${SITE_PREFIX}') {
    return { statusCode: 308, statusDescription: 'Permanent Redirect', headers: { location: { value: '/${SITE_PREFIX}/' } } };
  }
  if (uri.indexOf('/${SITE_PREFIX}/') === 0 && uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '/${SITE_PREFIX}/index.html';
  }
  return request;
}`;

/**
 * The portal's build (`portal/dist`) for the synth to deploy, rebuilt first when its sources are
 * newer, so a deploy never ships a stale portal; a failed build stops the synth saying what to run.
 */
export function builtPortal(projectRoot: string): string {
  try {
    return ensurePortalBuilt(projectRoot);
  } catch (error) {
    throw new Error(`The portal could not be built for deployment (run "npm run portal:build" to see why): ${(error as Error).message}`, { cause: error });
  }
}

export interface PortalSiteProps {
  readonly stage: string;
  /** The partner REST API: the distribution's second origin. */
  readonly api: apigw.RestApi;
  /** The API's stage name, the origin path: catalog paths carry their own `/v1`. */
  readonly apiStageName: string;
  /** The built portal (`portal/dist`). */
  readonly siteDir: string;
  /** Custom domain: `https://<host>` and its ACM certificate in us-east-1. */
  readonly domain?: CustomDomain;
  readonly logRetention: logs.RetentionDays;
  /** A Meta app is configured: the CSP lets the WhatsApp page load Meta's Embedded Signup. */
  readonly metaEmbeddedSignup?: boolean;
}

/**
 * The portal, deployed: its built files in a private bucket that only this distribution reads
 * (origin access control), and the API on the same distribution as a second origin, so the
 * portal's session cookie is first-party and its API calls are same-origin (no CORS). The site is
 * cached (hashed assets for a year, index.html revalidated on every load); the API is never cached
 * and gets every viewer header but Host (Cookie and X-CSRF-Token included). The distribution's URL
 * goes to an SSM parameter: the functions that mint portal links build them on it.
 */
export class PortalSite extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly bucket: s3.Bucket;
  readonly baseUrl: string;
  readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: PortalSiteProps) {
    super(scope, id);
    const logRetentionDays: number = props.logRetention;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront's standard logs are written with an ACL grant to its log delivery account.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(logRetentionDays) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: "This bucket holds the portal distribution's and the site bucket's access logs; logging a log bucket's own access would need another bucket with the same question.",
    });

    this.bucket = new s3.Bucket(this, 'Files', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'site-bucket/',
    });

    const viewerRequest = new cloudfront.Function(this, 'ViewerRequest', {
      comment: 'Switchboard portal: /portal/ redirects and app routes to index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(PORTAL_VIEWER_REQUEST_CODE),
    });
    const siteCache = new cloudfront.CachePolicy(this, 'SiteCache', {
      comment: 'Switchboard portal: the object Cache-Control decides (assets a year, index.html no-cache)',
      // 0, so index.html's no-cache is honoured as sent; a year for the hashed assets.
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
    });
    const siteBehaviour: cloudfront.BehaviorOptions = {
      origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessLevels: [cloudfront.AccessLevel.READ] }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: siteCache,
      responseHeadersPolicy: this.securityHeadersPolicy(props.metaEmbeddedSignup ?? false),
      functionAssociations: [{ function: viewerRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
    };
    const apiBehaviour: cloudfront.BehaviorOptions = {
      // The stage is the origin path: `/v1/customers` here is `/<stage>/v1/customers` at the API.
      origin: new origins.RestApiOrigin(props.api, { originPath: `/${props.apiStageName}` }),
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Cookie, X-CSRF-Token, Authorization, Accept, the query and the body reach the API; Host
      // does not: API Gateway answers only to its own host name.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Switchboard ${props.stage}: portal and its API`,
      defaultBehavior: siteBehaviour,
      additionalBehaviors: {
        ...Object.fromEntries(PORTAL_API_PATHS.map((path) => [path, apiBehaviour])),
        [`/${SITE_PREFIX}/*`]: siteBehaviour,
      },
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'portal/',
      ...distributionDomain(this, props.domain),
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: "The portal's users are the ISV's business customers, wherever they are; the API behind it keeps its own authorizer and limits.",
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'The site is static and cached at the edge; the API behind it keeps its per-partner usage plan and stage throttle, as on its own domain, ' +
        'where a WAF web ACL is likewise an operator choice per environment.',
    });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the distribution serves the default *.cloudfront.net certificate, whose viewer TLS policy CloudFront fixes; with portalBaseUrl and portalCertificateArn it requires TLSv1.2_2021.',
      });
    }

    this.deploySite(props.siteDir, logRetentionDays);

    this.baseUrl = props.domain?.baseUrl ?? `https://${this.distribution.distributionDomainName}`;
    this.parameter = new ssm.StringParameter(this, 'BaseUrlParameter', {
      parameterName: portalBaseUrlParameterName(props.stage),
      description: `Switchboard ${props.stage}: public base URL of the portal and of its sign-in links (<base>/portal/link/<token>)`,
      stringValue: this.baseUrl,
    });
  }

  /**
   * The headers the local platform sends with the portal, as a response headers policy: the
   * security headers CloudFront knows by name go where it wants them, any other as a custom header.
   */
  private securityHeadersPolicy(metaEmbeddedSignup: boolean): cloudfront.ResponseHeadersPolicy {
    const {
      'content-security-policy': contentSecurityPolicy,
      'x-content-type-options': contentTypeOptions,
      'x-frame-options': frameOption,
      'referrer-policy': referrerPolicy,
      'strict-transport-security': hsts,
      ...others
    } = portalSecurityHeaders({ https: true, metaEmbeddedSignup });
    const frameOptions: Record<string, cloudfront.HeadersFrameOption> = { DENY: cloudfront.HeadersFrameOption.DENY, SAMEORIGIN: cloudfront.HeadersFrameOption.SAMEORIGIN };
    const referrers = Object.values(cloudfront.HeadersReferrerPolicy) as string[];
    const maxAge = /^max-age=(\d+)$/.exec(hsts ?? '');
    if (!contentSecurityPolicy || contentTypeOptions !== 'nosniff' || !frameOptions[frameOption ?? ''] || !referrers.includes(referrerPolicy ?? '') || !maxAge) {
      throw new Error('The portal headers (shared/http/portal-headers.ts) must carry a CSP, nosniff, a frame option, a referrer policy and a max-age HSTS that CloudFront can express');
    }
    return new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Switchboard portal: the security headers and CSP the local platform sends',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: frameOptions[frameOption!]!, override: true },
        referrerPolicy: { referrerPolicy: referrerPolicy as cloudfront.HeadersReferrerPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.seconds(Number(maxAge[1])), includeSubdomains: false, override: true },
      },
      ...(Object.keys(others).length > 0
        ? { customHeadersBehavior: { customHeaders: Object.entries(others).map(([header, value]) => ({ header, value, override: true })) } }
        : {}),
    });
  }

  /**
   * Two deployments of the build: the hashed assets (immutable, a year) first, then everything
   * else (index.html, no-cache) once they are in place, so a new index.html never names an asset
   * that is not there yet. Each prunes only what it deploys; the second invalidates index.html,
   * the one cached object every app route shares.
   */
  private deploySite(siteDir: string, logRetentionDays: number): void {
    const source = s3deploy.Source.asset(siteDir);
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', { retention: logRetentionDays });
    const common = { sources: [source], destinationBucket: this.bucket, destinationKeyPrefix: `${SITE_PREFIX}/`, prune: true, logGroup, memoryLimit: 256, outputObjectKeys: false };
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      ...common,
      exclude: ['*'],
      include: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const pages = new s3deploy.BucketDeployment(this, 'DeployPages', {
      ...common,
      exclude: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: [`/${SITE_PREFIX}/index.html`],
    });
    pages.node.addDependency(assets);

    // Both deployments run on the one handler function aws-cdk-lib ships for BucketDeployment.
    const handler = assets.handlerRole.node.scope!;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "aws-cdk-lib's BucketDeployment handler writes its own logs with the basic execution policy; it runs only during a deploy.",
    });
    // cdk-nag names the CDK asset bucket as the bootstrap template does, with the stack's partition,
    // account and region where the synth knows them (a CLI synth does) and as pseudo parameters where not.
    const stack = Stack.of(this);
    const known = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    const qualifier: string = this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const assetObjects = `arn:${known(stack.partition, 'Partition')}:s3:::cdk-${qualifier}-assets-${known(stack.account, 'AccountId')}-${known(stack.region, 'Region')}/*`;
    const wildcards: Record<string, string> = {
      'Action::s3:GetObject*': 'reads the build from the CDK asset bucket and the site bucket',
      'Action::s3:GetBucket*': 'reads the location of the asset and site buckets',
      'Action::s3:List*': 'lists the site bucket to sync and prune it',
      'Action::s3:DeleteObject*': 'prunes files the new build no longer has',
      'Action::s3:Abort*': 'aborts its own multipart uploads',
      [`Resource::${assetObjects}`]: 'the build is an object of the CDK asset bucket',
      [`Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`]: 'it writes every object of the site bucket',
      'Resource::*': 'CloudFront invalidations are granted on "*" by the construct',
    };
    for (const [finding, why] of Object.entries(wildcards)) {
      Validations.of(handler).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: `aws-cdk-lib's BucketDeployment handler ${why}; it runs only during a deploy, on no viewer input.`,
      });
    }
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "The runtime of aws-cdk-lib's BucketDeployment handler is fixed by aws-cdk-lib (its Python and AWS CLI layer); upgrading aws-cdk-lib upgrades it.",
    });
  }
}

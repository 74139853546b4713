import * as logs from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import type { PartnerLimits } from '../constructs/partner-api';

/** A CloudFront distribution's alternate domain name (`https://<host>`) and its ACM certificate in us-east-1. */
export interface CustomDomain {
  readonly baseUrl: string;
  readonly certificateArn: string;
}

/** Deployment settings, all from CDK context (`-c name=value` or `cdk.json`), with defaults for a small production. */
export interface Settings {
  /** `dev`, `staging`, `prod`…: part of stack names, key aliases and the API Gateway stage. */
  readonly stage: string;
  readonly partnerLimits: PartnerLimits;
  readonly stageLimits: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: logs.RetentionDays;
  readonly logLevel: string;
  /** Custom domain of the webhook distribution (`https://hooks.example.com`), with its us-east-1 certificate; unset = the distribution's own domain. */
  readonly webhookDomain?: CustomDomain;
  /** Custom domain of the portal distribution (`https://portal.example.com`), with its us-east-1 certificate; unset = the distribution's own domain. */
  readonly portalDomain?: CustomDomain;
  /** Requests one IP may send the webhook receivers per 5 minutes before the web ACL blocks it. */
  readonly webhookRateLimit: number;
  readonly twilio: { readonly primaryProfileSid?: string; readonly notificationEmail?: string };
  /** Subscribed to the stage's alarm topic when given. */
  readonly alarmEmail?: string;
  /** Reserved concurrency per webhook receiver; 0 turns the reservation off (accounts with a low concurrency quota). */
  readonly webhookReservedConcurrency: number;
  /** The platform's Meta app and its Embedded Signup configuration: the portal runs Meta's real Embedded Signup (unset = a simulated hand-off). */
  readonly metaApp?: { readonly appId: string; readonly configId: string };
}

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Reads and checks the context once; a bad value stops the synth with the setting's name. */
export function readSettings(node: Node): Settings {
  const text = (name: string): string | undefined => {
    const value: unknown = node.tryGetContext(name);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const positive = (name: string, fallback: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`Context "${name}" must be a positive number, got "${raw}"`);
    return value;
  };

  const stage = text('stage') ?? 'dev';
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) throw new Error(`Context "stage" must be lowercase letters, digits and dashes (max 16), got "${stage}"`);

  const retentionDays = positive('logRetentionDays', 30);
  const logRetention = Object.values(logs.RetentionDays).find((days): days is logs.RetentionDays => days === retentionDays);
  if (logRetention === undefined) throw new Error(`Context "logRetentionDays" must be a CloudWatch Logs retention (1, 3, 5, 7, 14, 30, 60, 90…), got ${retentionDays}`);

  const logLevel = (text('logLevel') ?? 'INFO').toUpperCase();
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`Context "logLevel" must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const webhookDomain = readCustomDomain('webhook', text('webhookBaseUrl'), text('webhookCertificateArn'), 'the distribution serves /<receiver> at its root');
  const portalDomain = readCustomDomain('portal', text('portalBaseUrl'), text('portalCertificateArn'), 'the distribution serves /portal and the API at its root');
  const rateRaw = text('webhookRateLimit');
  // Twilio sends from a pool of addresses it does not publish, so one address can carry much of a busy
  // account's callbacks: the default (about 67 a second per IP) stops a single flooding source, not Twilio.
  const webhookRateLimit = rateRaw === undefined ? 20_000 : Number(rateRaw);
  // WAF's own bounds for a rate-based rule's limit (requests per IP per 5-minute window).
  if (!Number.isInteger(webhookRateLimit) || webhookRateLimit < 10 || webhookRateLimit > 2_000_000_000) {
    throw new Error(`Context "webhookRateLimit" must be a whole number of requests per IP per 5 minutes from 10 to 2000000000, got "${rateRaw}"`);
  }

  const primaryProfileSid = text('twilioPrimaryProfileSid');
  if (primaryProfileSid !== undefined && !/^BU[0-9a-f]{32}$/.test(primaryProfileSid)) {
    throw new Error(`Context "twilioPrimaryProfileSid" must be the ISV's Primary Customer Profile SID (BU…), got "${primaryProfileSid}"`);
  }
  const notificationEmail = text('twilioNotificationEmail');
  if (notificationEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(notificationEmail)) {
    throw new Error(`Context "twilioNotificationEmail" must be an email address, got "${notificationEmail}"`);
  }

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`Context "alarmEmail" must be an email address, got "${alarmEmail}"`);
  }

  const reservedRaw = text('webhookReservedConcurrency');
  const webhookReservedConcurrency = reservedRaw === undefined ? 25 : Number(reservedRaw);
  if (!Number.isInteger(webhookReservedConcurrency) || webhookReservedConcurrency < 0) {
    throw new Error(`Context "webhookReservedConcurrency" must be a whole number (0 = no reservation), got "${reservedRaw}"`);
  }

  const metaAppId = text('metaAppId');
  const metaConfigId = text('metaEmbeddedSignupConfigId');
  if ((metaAppId === undefined) !== (metaConfigId === undefined)) {
    throw new Error('Context "metaAppId" and "metaEmbeddedSignupConfigId" go together: give both (Meta\'s Embedded Signup) or neither (a simulated hand-off)');
  }
  for (const [name, value] of [['metaAppId', metaAppId], ['metaEmbeddedSignupConfigId', metaConfigId]] as const) {
    if (value !== undefined && !/^\d{5,20}$/.test(value)) throw new Error(`Context "${name}" must be Meta's numeric id, got "${value}"`);
  }

  return {
    stage,
    partnerLimits: {
      rateLimit: positive('partnerRateLimit', 25),
      burstLimit: positive('partnerBurstLimit', 50),
      quotaPerDay: positive('partnerQuotaPerDay', 100_000),
    },
    stageLimits: { rateLimit: positive('apiRateLimit', 500), burstLimit: positive('apiBurstLimit', 1000) },
    logRetention,
    logLevel,
    webhookDomain,
    portalDomain,
    webhookRateLimit,
    twilio: { primaryProfileSid, notificationEmail },
    alarmEmail,
    webhookReservedConcurrency,
    ...(metaAppId && metaConfigId ? { metaApp: { appId: metaAppId, configId: metaConfigId } } : {}),
  };
}

/**
 * A custom distribution domain (`<name>BaseUrl`, `<name>CertificateArn`): both settings or neither.
 * The base is the distribution's alternate domain name, so it is a bare https host (CloudFront
 * serves its paths from the root), and CloudFront takes certificates only from ACM in us-east-1.
 */
function readCustomDomain(name: 'webhook' | 'portal', baseUrl: string | undefined, certificateArn: string | undefined, root: string): CustomDomain | undefined {
  const [base, certificate] = [`${name}BaseUrl`, `${name}CertificateArn`];
  if (baseUrl === undefined && certificateArn === undefined) return undefined;
  if (baseUrl === undefined) throw new Error(`Context "${certificate}" is given without "${base}": give both (the custom ${name} domain and its certificate) or neither`);
  if (!/^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(baseUrl)) {
    throw new Error(`Context "${base}" must be https://<lowercase domain name> with no path, port or trailing slash (${root}), got "${baseUrl}"`);
  }
  if (certificateArn === undefined) {
    throw new Error(`Context "${base}" (${baseUrl}) needs "${certificate}": the ARN of an ACM certificate in us-east-1 covering ${new URL(baseUrl).hostname}`);
  }
  if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(certificateArn)) {
    throw new Error(`Context "${certificate}" must be an ACM certificate ARN in us-east-1 (CloudFront takes no other region), got "${certificateArn}"`);
  }
  return { baseUrl, certificateArn };
}

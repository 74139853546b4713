import type { Construct } from 'constructs';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { CustomDomain } from '../stacks/settings';

/** A distribution's own host name and certificate (TLS 1.2 at the least), or nothing for CloudFront's default domain. */
export function distributionDomain(scope: Construct, domain: CustomDomain | undefined): Partial<cloudfront.DistributionProps> {
  if (!domain) return {};
  return {
    domainNames: [new URL(domain.baseUrl).hostname],
    certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', domain.certificateArn),
    minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
  };
}

import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { NagSuppressions } from 'cdk-nag';

/** Stages without a domain serve CloudFront's `*.cloudfront.net` certificate, whose TLS policy CloudFront sets. */
export function suppressDefaultCertificate(distribution: cloudfront.Distribution): void {
  NagSuppressions.addResourceSuppressions(distribution, [
    {
      id: 'AwsSolutions-CFR4',
      reason:
        'Without a domain the distribution uses the default *.cloudfront.net certificate, whose minimum TLS version ' +
        'CloudFront fixes; stages with a domain get TLSv1.2_2021.',
    },
  ]);
}

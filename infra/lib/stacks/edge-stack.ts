import { Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { StageConfig } from '../config/types';

/** Props of {@link EdgeStack}. */
export interface EdgeStackProps extends StackProps {
  readonly config: StageConfig;
}

/** AWS managed rule groups the web ACL applies, in priority order. */
const MANAGED_RULE_GROUPS = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'];

/**
 * What CloudFront needs from us-east-1: the optional hosted zone, the certificate for the stage's
 * host names, and the web ACL (AWS managed rule groups and a per-IP rate limit).
 */
export class EdgeStack extends Stack {
  readonly hostedZone?: route53.IHostedZone;
  readonly certificate?: acm.ICertificate;
  readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { domain } = props.config;
    if (domain) {
      if (domain.createHostedZone) {
        this.hostedZone = new route53.PublicHostedZone(this, 'Zone', { zoneName: domain.zoneName });
      }
      this.certificate = new acm.Certificate(this, 'Certificate', {
        domainName: domain.apiHostName,
        subjectAlternativeNames: [domain.appHostName, domain.internalHostName],
        validation: acm.CertificateValidation.fromDns(this.hostedZone),
      });
    }
    this.webAclArn = this.webAcl(props.config).attrArn;
  }

  private webAcl(config: StageConfig): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const managed = MANAGED_RULE_GROUPS.map((name, priority) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    }));
    const rateLimit = {
      name: 'RateLimitPerIp',
      priority: managed.length,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: config.wafRateLimitPer5Minutes, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility('RateLimitPerIp'),
    };
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      rules: [...managed, rateLimit],
      visibilityConfig: visibility(`${config.name}-web-acl`),
    });
  }
}

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { StageConfig } from '../config/types';
import { INFRA_ROOT } from '../paths';
import { suppressDefaultCertificate } from './nag';

/** Props of {@link FrontendStack}. */
export interface FrontendStackProps extends StackProps {
  readonly config: StageConfig;
  readonly accessLogs: s3.IBucket;
  readonly webAclArn: string;
  /** CloudFront's own certificate and names when absent. */
  readonly certificate?: acm.ICertificate;
  readonly staff: cognito.IUserPool;
  readonly staffClient: cognito.UserPoolClient;
  readonly staffDomain: cognito.UserPoolDomain;
}

/**
 * The static frontends: the public single-page app, and the internal app whose every request
 * needs a staff sign-in. Both are private buckets that only their distribution reads (origin
 * access control).
 */
export class FrontendStack extends Stack {
  readonly publicApp: cloudfront.Distribution;
  readonly internalApp: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: FrontendStackProps) {
    super(scope, id, props);
    const { domain } = props.config;
    const signInCheck = this.signInCheck(props);

    this.publicApp = this.site('Public', props, domain?.appHostName);
    this.internalApp = this.site('Internal', props, domain?.internalHostName, signInCheck);
  }

  private site(id: string, props: FrontendStackProps, hostName?: string, signInCheck?: lambda.IVersion): cloudfront.Distribution {
    const bucket = new s3.Bucket(this, `${id}Bucket`, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: `s3/${id.toLowerCase()}-app/`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(bucket);
    const edgeLambdas = signInCheck ? [{ functionVersion: signInCheck, eventType: cloudfront.LambdaEdgeEventType.VIEWER_REQUEST }] : undefined;
    const distribution = new cloudfront.Distribution(this, `${id}App`, {
      comment: `${props.config.name} ${id.toLowerCase()} app`,
      defaultRootObject: 'index.html',
      defaultBehavior: { origin, viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS, edgeLambdas },
      // The sign-in callback page must load before there is a token.
      additionalBehaviors: signInCheck
        ? { '/auth/*': { origin, viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS } }
        : undefined,
      errorResponses: [{ httpStatus: 404, responseHttpStatus: 200, responsePagePath: '/index.html' }],
      webAclId: props.webAclArn,
      certificate: hostName ? props.certificate : undefined,
      domainNames: hostName && props.certificate ? [hostName] : undefined,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: `cloudfront/${id.toLowerCase()}-app/`,
    });
    NagSuppressions.addResourceSuppressions(distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'The apps serve every country; WAF rules and the rate limit are the protection.' },
    ]);
    if (!hostName) suppressDefaultCertificate(distribution);
    return distribution;
  }

  private signInCheck(props: FrontendStackProps): lambda.IVersion {
    const issuer = `https://cognito-idp.${this.region}.amazonaws.com/${props.staff.userPoolId}`;
    const callback = props.config.domain
      ? `https://${props.config.domain.internalHostName}/auth/callback.html`
      : 'https://localhost:4000/auth/callback.html';
    const signInUrl = props.staffDomain.signInUrl(props.staffClient, { redirectUri: callback, signInPath: '/oauth2/authorize' });
    const source = fs.readFileSync(path.join(INFRA_ROOT, 'lib', 'edge', 'internal-auth.js'), 'utf8');
    const code = Fn.join('', [
      ...splitAround(source, '__ISSUER__', issuer, '__CLIENT_ID__', props.staffClient.userPoolClientId, '__SIGN_IN_URL__', signInUrl),
    ]);
    const check = new cloudfront.experimental.EdgeFunction(this, 'SignInCheck', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      description: 'Lets staff with a valid Cognito ID token into the internal app',
    });
    // Outside us-east-1 the function lives in a stack of its own there, so the suppressions
    // go on the function and its role wherever they are.
    const runtimeReason = 'Lambda@Edge lags Lambda in the Node.js versions it accepts; Node.js 24 is the newest it supports for viewer requests.';
    const policyReason = 'Lambda@Edge writes logs in every edge region; the basic execution policy is the documented way to allow that.';
    const basicExecution = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
    const edgeFunction = check.permissionsNode.defaultChild!.node.scope!;
    const targets = [check, edgeFunction];
    NagSuppressions.addResourceSuppressions(
      targets,
      [
        { id: 'AwsSolutions-L1', reason: runtimeReason },
        { id: 'AwsSolutions-IAM4', reason: policyReason, appliesTo: [basicExecution] },
      ],
      true,
    );
    return check.currentVersion;
  }
}

/** Splits `source` at each placeholder and puts its value in its place, for `Fn.join`. */
function splitAround(source: string, ...pairs: string[]): string[] {
  let parts: string[] = [source];
  for (let i = 0; i < pairs.length; i += 2) {
    const [placeholder, value] = [pairs[i], pairs[i + 1]];
    parts = parts.flatMap((part) => {
      const pieces = part.split(placeholder);
      return pieces.flatMap((piece, index) => (index === 0 ? [piece] : [value, piece]));
    });
  }
  return parts;
}

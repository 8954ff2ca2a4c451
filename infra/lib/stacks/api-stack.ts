import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as authorizers from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LAMBDA_BINARIES } from '../constructs/artifacts';
import { RustFunction } from '../constructs/rust-function';
import { grantTableReadWrite } from '../constructs/table-access';
import { functionDefaults, StageContext, Watched, nothingWatched } from '../stage-context';
import { suppressDefaultCertificate } from './nag';
import { MediaStack } from './media-stack';

/** The header CloudFront adds so the authorizer can refuse calls that skipped CloudFront and WAF. */
export const ORIGIN_VERIFY_HEADER = 'x-stack-origin-verify';

/** Props of {@link ApiStack}. */
export interface ApiStackProps extends StackProps {
  readonly context: StageContext;
  readonly table: dynamodb.ITable;
  readonly users: cognito.IUserPool;
  readonly usersClient: cognito.IUserPoolClient;
  readonly accessLogs: s3.IBucket;
  readonly webAclArn: string;
  /** CloudFront's own certificate and name when absent. */
  readonly certificate?: acm.ICertificate;
  /** The media module; no media subgraph when absent. */
  readonly media?: MediaStack;
}

/**
 * The GraphQL API: CloudFront with the web ACL, then an HTTP API whose Lambda authorizer checks
 * Cognito JWTs (decisions cached), then the router Lambda, which invokes the subgraph Lambdas
 * directly with IAM (no public function URLs).
 */
export class ApiStack extends Stack {
  readonly httpApi: apigw.HttpApi;
  readonly distribution: cloudfront.Distribution;
  readonly router: RustFunction;
  readonly authorizer: RustFunction;
  readonly todoSubgraph: RustFunction;
  readonly mediaSubgraph?: RustFunction;
  readonly watched: Watched = nothingWatched();

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const defaults = functionDefaults(props.context);
    const originSecret = new secrets.Secret(this, 'OriginVerify', {
      description: `The ${ORIGIN_VERIFY_HEADER} header value CloudFront sends to the API`,
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });
    NagSuppressions.addResourceSuppressions(originSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'CloudFront reads the value at deploy time; rotating it means redeploying the distribution, ' +
          'done by a deployment rather than a rotation Lambda.',
      },
    ]);

    // Signs page cursors; every instance of the subgraph must share it. 48 alphanumeric
    // characters are valid base64 of 36 bytes, above the 32 the table requires.
    const cursorKey = new secrets.Secret(this, 'CursorKey', {
      description: 'Signs the Todo subgraph page cursors (STACK_CURSOR_KEY)',
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    NagSuppressions.addResourceSuppressions(cursorKey, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotating the key means deploying it with the old one as STACK_PREVIOUS_CURSOR_KEY, done by a ' +
          'deployment rather than a rotation Lambda.',
      },
    ]);
    this.todoSubgraph = new RustFunction(this, 'TodoSubgraph', {
      ...defaults,
      binary: LAMBDA_BINARIES.todoSubgraph,
      description: 'The Todo subgraph',
      environment: {
        STACK_TABLE_BACKEND: 'dynamodb',
        STACK_TABLE_NAME: props.table.tableName,
        // A dynamic reference: CloudFormation resolves it at deploy time, the template holds no value.
        STACK_CURSOR_KEY: cursorKey.secretValue.unsafeUnwrap(),
      },
    });
    grantTableReadWrite(props.table, this.todoSubgraph);

    const subgraphs: Record<string, RustFunction> = { TODO: this.todoSubgraph };
    if (props.media) {
      this.mediaSubgraph = new RustFunction(this, 'MediaSubgraph', {
        ...defaults,
        binary: LAMBDA_BINARIES.mediaSubgraph,
        description: 'The media subgraph: signed upload URLs and transcode jobs',
        environment: {
          STACK_TABLE_NAME: props.table.tableName,
          STACK_MEDIA_UPLOAD_BUCKET: props.media.uploads.bucketName,
          STACK_MEDIA_OUTPUT_BUCKET: props.media.outputs.bucketName,
          STACK_MEDIA_CONVERT_ROLE_ARN: props.media.mediaConvertRole.roleArn,
        },
      });
      grantTableReadWrite(props.table, this.mediaSubgraph);
      props.media.grantMediaSubgraph(this.mediaSubgraph);
      NagSuppressions.addResourceSuppressions(
        this.mediaSubgraph.role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'S3 grants name objects under one prefix (uploads/*) or of the output bucket, with the read and ' +
              'multipart-abort action families; MediaConvert names jobs by a generated id.',
            appliesTo: [
              'Action::s3:GetObject*',
              'Action::s3:GetBucket*',
              'Action::s3:List*',
              'Action::s3:Abort*',
              { regex: '/^Resource::<Uploads[0-9A-F]{8}\\.Arn>\\/uploads\\/\\*$/g' },
              { regex: '/^Resource::<Outputs[0-9A-F]{8}\\.Arn>\\/\\*$/g' },
              { regex: '/^Resource::arn:<AWS::Partition>:mediaconvert:.*:jobs\\/\\*$/g' },
            ],
          },
        ],
        true,
      );
      this.mediaSubgraph.function.addEventSource(
        new sources.SqsEventSource(props.media.uploadEvents.queue, { batchSize: 10, reportBatchItemFailures: true }),
      );
      subgraphs.MEDIA = this.mediaSubgraph;
    }

    this.router = new RustFunction(this, 'Router', {
      ...defaults,
      binary: LAMBDA_BINARIES.router,
      description: 'The federation router: plans queries and invokes the subgraph Lambdas',
      timeoutSeconds: 29,
      environment: Object.fromEntries(Object.entries(subgraphs).map(([name, fn]) => [`STACK_SUBGRAPH_${name}_FUNCTION`, fn.function.functionName])),
    });
    Object.values(subgraphs).forEach((subgraph) => subgraph.grantInvoke(this.router));
    NagSuppressions.addResourceSuppressions(
      this.router.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'grantInvoke covers the subgraph function and its versions and aliases (<arn>:*), so a router can call a ' +
            'published version; no other function is reachable.',
          appliesTo: [{ regex: '/^Resource::<(Todo|Media)SubgraphFunction[0-9A-F]{8}\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );

    this.authorizer = new RustFunction(this, 'Authorizer', {
      ...defaults,
      binary: LAMBDA_BINARIES.authorizer,
      description: 'Checks Cognito JWTs for API Gateway',
      environment: {
        STACK_AUTH_ISSUER: `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${props.users.userPoolId}`,
        STACK_AUTH_CLIENT_IDS: props.usersClient.userPoolClientId,
        STACK_AUTH_TOKEN_USE: 'access',
        STACK_AUTH_ORIGIN_HEADER: ORIGIN_VERIFY_HEADER,
        STACK_AUTH_ORIGIN_SECRET_ARN: originSecret.secretArn,
      },
    });
    originSecret.grantRead(this.authorizer);

    this.httpApi = this.api(props);
    this.distribution = this.edge(props, originSecret);
    new CfnOutput(this, 'GraphqlUrl', {
      description: 'The GraphQL endpoint through CloudFront',
      value: `https://${props.context.config.domain?.apiHostName ?? this.distribution.distributionDomainName}/graphql`,
    });
    this.watched.functions.push(this.router, this.authorizer, ...Object.values(subgraphs));
  }

  private api(props: ApiStackProps): apigw.HttpApi {
    const { config } = props.context;
    const httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: `${config.name} GraphQL API`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: config.domain ? [`https://${config.domain.appHostName}`] : ['*'],
        allowMethods: [apigw.CorsHttpMethod.GET, apigw.CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.days(1),
      },
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: config.logRetentionDays as logs.RetentionDays });
    httpApi.addStage('Live', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.apiThrottleRatePerSecond, burstLimit: config.apiThrottleBurst },
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs) },
    });

    const authorizer = new authorizers.HttpLambdaAuthorizer('Jwt', this.authorizer.function, {
      responseTypes: [authorizers.HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization', `$request.header.${ORIGIN_VERIFY_HEADER}`],
      resultsCacheTtl: Duration.seconds(config.authorizerCacheTtlSeconds),
    });
    httpApi.addRoutes({
      path: '/graphql',
      methods: [apigw.HttpMethod.GET, apigw.HttpMethod.POST],
      integration: new integrations.HttpLambdaIntegration('Router', this.router.function),
      authorizer,
    });
    return httpApi;
  }

  private edge(props: ApiStackProps, originSecret: secrets.ISecret): cloudfront.Distribution {
    const { domain } = props.context.config;
    const apiHost = `${this.httpApi.apiId}.execute-api.${this.region}.${this.urlSuffix}`;
    const distribution = new cloudfront.Distribution(this, 'Edge', {
      comment: `${props.context.config.name} API`,
      defaultBehavior: {
        origin: new origins.HttpOrigin(apiHost, {
          protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
          customHeaders: { [ORIGIN_VERIFY_HEADER]: originSecret.secretValue.unsafeUnwrap() },
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      },
      webAclId: props.webAclArn,
      certificate: domain ? props.certificate : undefined,
      domainNames: domain && props.certificate ? [domain.apiHostName] : undefined,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/api/',
    });
    NagSuppressions.addResourceSuppressions(distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'The API serves every country; WAF rules and the rate limit are the protection.' },
    ]);
    if (!domain) suppressDefaultCertificate(distribution);
    return distribution;
  }
}

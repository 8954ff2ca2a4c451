import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LAMBDA_BINARIES } from '../constructs/artifacts';
import { DeadLetteredQueue } from '../constructs/dead-lettered-queue';
import { RustFunction } from '../constructs/rust-function';
import { functionDefaults, nothingWatched, StageContext, Watched } from '../stage-context';
import { suppressDefaultCertificate } from './nag';

/** Where uploads land; only objects under it start a transcode. */
export const UPLOAD_PREFIX = 'uploads/';
/** Where MediaConvert writes in the output bucket. */
export const TRANSCODED_PREFIX = 'transcoded/';
/** Where the image resizer keeps the variants it made, in the output bucket. */
export const RESIZED_PREFIX = 'resized/';

/** Props of {@link MediaStack}. */
export interface MediaStackProps extends StackProps {
  readonly context: StageContext;
  readonly accessLogs: s3.IBucket;
  readonly webAclArn: string;
  /** Origins allowed to upload from a browser. */
  readonly uploadOrigins: string[];
}

/**
 * Media: the upload bucket (browser uploads through signed URLs), the output bucket, the
 * MediaConvert role, and the image resizer behind its own CloudFront distribution.
 *
 * Writes never re-trigger their writer: only `uploads/` in the upload bucket emits events;
 * MediaConvert and the resizer write to the output bucket, which emits none.
 */
export class MediaStack extends Stack {
  readonly uploads: s3.Bucket;
  readonly outputs: s3.Bucket;
  readonly mediaConvertRole: iam.Role;
  /** Upload events for the media subgraph to start transcodes from. */
  readonly uploadEvents: DeadLetteredQueue;
  readonly resizer: RustFunction;
  readonly distribution: cloudfront.Distribution;
  readonly watched: Watched = nothingWatched();

  constructor(scope: Construct, id: string, props: MediaStackProps) {
    super(scope, id, props);
    const { config } = props.context;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const bucketDefaults = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: props.accessLogs,
      removalPolicy,
    };

    this.uploads = new s3.Bucket(this, 'Uploads', {
      ...bucketDefaults,
      serverAccessLogsPrefix: 's3/uploads/',
      eventBridgeEnabled: true,
      cors: [{ allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.POST], allowedOrigins: props.uploadOrigins, allowedHeaders: ['*'], maxAge: 3000 }],
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { prefix: UPLOAD_PREFIX, expiration: Duration.days(config.uploadExpiryDays) },
      ],
    });
    this.outputs = new s3.Bucket(this, 'Outputs', {
      ...bucketDefaults,
      serverAccessLogsPrefix: 's3/outputs/',
      lifecycleRules: [
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { prefix: RESIZED_PREFIX, expiration: Duration.days(30) },
        { prefix: TRANSCODED_PREFIX, transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) }] },
      ],
    });

    this.mediaConvertRole = new iam.Role(this, 'MediaConvertRole', {
      assumedBy: new iam.ServicePrincipal('mediaconvert.amazonaws.com'),
      description: 'Lets MediaConvert read uploads and write transcoded outputs',
    });
    this.uploads.grantRead(this.mediaConvertRole, `${UPLOAD_PREFIX}*`);
    this.outputs.grantPut(this.mediaConvertRole, `${TRANSCODED_PREFIX}*`);

    this.uploadEvents = new DeadLetteredQueue(this, 'UploadEvents', { visibilityTimeoutSeconds: 60 });
    new events.Rule(this, 'UploadCreated', {
      description: 'New objects under uploads/ start a transcode',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [this.uploads.bucketName] }, object: { key: [{ prefix: UPLOAD_PREFIX }] } },
      },
      targets: [new targets.SqsQueue(this.uploadEvents.queue, { deadLetterQueue: this.uploadEvents.deadLetterQueue })],
    });

    this.resizer = new RustFunction(this, 'ImageResizer', {
      ...functionDefaults(props.context),
      binary: LAMBDA_BINARIES.imageResizer,
      description: 'Resizes images on request from CloudFront and keeps each variant',
      memorySizeMb: 1024,
      timeoutSeconds: 29,
      environment: { STACK_MEDIA_OUTPUT_BUCKET: this.outputs.bucketName, STACK_MEDIA_RESIZED_PREFIX: RESIZED_PREFIX },
    });
    this.outputs.grantRead(this.resizer);
    this.outputs.grantPut(this.resizer, `${RESIZED_PREFIX}*`);
    this.distribution = this.cdn(props);

    this.watched.functions.push(this.resizer);
    this.watched.deadLetterQueues.push(this.uploadEvents.deadLetterQueue);
    this.suppressPrefixGrants();
    NagSuppressions.addResourceSuppressionsByPath(
      this,
      `/${this.node.path}/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource`,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            "CDK's own handler that switches on EventBridge notifications for the upload bucket at deploy time; it only needs to write its logs.",
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
      ],
    );
  }

  /** Everything the media subgraph needs: signed upload URLs, reading media, and starting transcodes. */
  grantMediaSubgraph(grantee: iam.IGrantable): void {
    this.uploads.grantPut(grantee, `${UPLOAD_PREFIX}*`);
    this.uploads.grantRead(grantee, `${UPLOAD_PREFIX}*`);
    this.outputs.grantRead(grantee);
    this.mediaConvertRole.grantPassRole(grantee.grantPrincipal);
    this.uploadEvents.queue.grantConsumeMessages(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['mediaconvert:CreateJob', 'mediaconvert:GetJob'],
      resourceArns: [
        Stack.of(this).formatArn({ service: 'mediaconvert', resource: 'queues', resourceName: 'Default' }),
        Stack.of(this).formatArn({ service: 'mediaconvert', resource: 'jobs', resourceName: '*' }),
      ],
    });
  }

  private cdn(props: MediaStackProps): cloudfront.Distribution {
    const url = this.resizer.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    const distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: `${props.context.config.name} media`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.outputs),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      },
      additionalBehaviors: {
        '/images/*': {
          origin: origins.FunctionUrlOrigin.withOriginAccessControl(url),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        },
      },
      webAclId: props.webAclArn,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: props.accessLogs,
      logFilePrefix: 'cloudfront/media/',
    });
    NagSuppressions.addResourceSuppressions(distribution, [
      { id: 'AwsSolutions-CFR1', reason: 'Media is served to every country; WAF rules and the rate limit are the protection.' },
    ]);
    suppressDefaultCertificate(distribution);
    return distribution;
  }

  private suppressPrefixGrants(): void {
    NagSuppressions.addResourceSuppressions(
      [this.mediaConvertRole, this.resizer.role],
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Object grants are scoped to one prefix of one bucket (uploads/, transcoded/, resized/) or to one bucket; ' +
            'S3 needs a key wildcard to name objects that do not exist yet.',
          appliesTo: [
            'Action::s3:GetObject*',
            'Action::s3:GetBucket*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            { regex: '/^Resource::<(Uploads|Outputs)[0-9A-F]{8}\\.Arn>\\/(.*)\\*$/g' },
          ],
        },
      ],
      true,
    );
  }
}

import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as oam from 'aws-cdk-lib/aws-oam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { OrganisationConfig } from '../config/types';

/** Props of {@link MonitoringAccountStack} and {@link LogsAccountStack}. */
export interface SharedAccountStackProps extends StackProps {
  readonly organisation: OrganisationConfig;
}

/**
 * In the monitoring account: the CloudWatch observability sink every stage links to, so one
 * console shows the metrics, logs and X-Ray traces of all of them.
 */
export class MonitoringAccountStack extends Stack {
  readonly sink: oam.CfnSink;

  constructor(scope: Construct, id: string, props: SharedAccountStackProps) {
    super(scope, id, props);
    this.sink = new oam.CfnSink(this, 'Sink', {
      name: `${props.organisation.project}-observability`,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: ['oam:CreateLink', 'oam:UpdateLink'],
            Resource: '*',
            Condition: {
              StringEquals: { 'aws:PrincipalOrgID': props.organisation.shared.organizationId },
              'ForAllValues:StringEquals': { 'oam:ResourceTypes': ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup', 'AWS::XRay::Trace'] },
            },
          },
        ],
      },
    });
  }
}

/**
 * In the logs account: the CloudWatch Logs destination every stage's log groups subscribe to,
 * delivered by Firehose into an encrypted, versioned archive bucket.
 */
export class LogsAccountStack extends Stack {
  readonly archive: s3.Bucket;
  readonly destination: logs.CfnDestination;

  constructor(scope: Construct, id: string, props: SharedAccountStackProps) {
    super(scope, id, props);
    const { shared } = props.organisation;
    const accessLogs = new s3.Bucket(this, 'ArchiveAccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(accessLogs, [
      { id: 'AwsSolutions-S1', reason: 'This is the access log bucket of the archive; logging it into itself would loop.' },
    ]);
    this.archive = new s3.Bucket(this, 'Archive', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      lifecycleRules: [{ transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) }] }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stream = new firehose.DeliveryStream(this, 'Delivery', {
      destination: new firehose.S3Bucket(this.archive, { dataOutputPrefix: 'logs/', errorOutputPrefix: 'errors/' }),
      encryption: firehose.StreamEncryption.awsOwnedKey(),
    });
    const logsRole = new iam.Role(this, 'DestinationRole', {
      assumedBy: new iam.ServicePrincipal('logs.amazonaws.com', {
        conditions: { StringLike: { 'aws:SourceArn': this.formatArn({ service: 'logs', resource: '*' }) } },
      }),
      description: 'Lets CloudWatch Logs deliver subscribed log events to Firehose',
    });
    stream.grantPutRecords(logsRole);

    this.destination = new logs.CfnDestination(this, 'Destination', {
      destinationName: shared.logDestinationName,
      roleArn: logsRole.roleArn,
      targetArn: stream.deliveryStreamArn,
      destinationPolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'logs:PutSubscriptionFilter',
            Resource: `arn:aws:logs:${shared.logs.region}:${shared.logs.accountId}:destination:${shared.logDestinationName}`,
            Condition: { StringEquals: { 'aws:PrincipalOrgID': shared.organizationId } },
          },
        ],
      }),
    });
    this.destination.node.addDependency(logsRole);
    NagSuppressions.addResourceSuppressions(
      this,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Firehose writes objects with generated names into the archive bucket, and CloudWatch Logs may deliver from any ' +
            'log group of member accounts; both wildcards are scoped to this account and bucket.',
        },
      ],
      true,
    );
  }
}

/** Props of {@link DeployAccessStack}. */
export interface DeployAccessStackProps extends StackProps {
  readonly organisation: OrganisationConfig;
  /** The GitHub environment allowed to deploy here, for example `production`. */
  readonly githubEnvironment: string;
  /** Also trust pull requests of the repository (preview stages). @default false */
  readonly trustPullRequests?: boolean;
}

/**
 * In each workload account: GitHub's OIDC provider and the role a workflow of this repository
 * assumes to deploy, which can only assume the CDK bootstrap roles. No stored keys.
 */
export class DeployAccessStack extends Stack {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DeployAccessStackProps) {
    super(scope, id, props);
    const { owner, repository } = props.organisation.github;
    const provider = new iam.OidcProviderNative(this, 'GitHub', {
      url: 'https://token.actions.githubusercontent.com',
      clientIds: ['sts.amazonaws.com'],
    });
    const subjects = [`repo:${owner}/${repository}:environment:${props.githubEnvironment}`];
    if (props.trustPullRequests) subjects.push(`repo:${owner}/${repository}:pull_request`);
    this.role = new iam.Role(this, 'Deploy', {
      roleName: `${props.organisation.project}-github-deploy`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' },
        'ForAnyValue:StringLike': { 'token.actions.githubusercontent.com:sub': subjects },
      }),
    });
    for (const purpose of ['deploy', 'file-publishing', 'image-publishing', 'lookup']) {
      iam.Role.fromRoleArn(
        this,
        `Cdk${purpose}`,
        this.formatArn({
          service: 'iam',
          region: '',
          resource: 'role',
          resourceName: `cdk-hnb659fds-${purpose}-role-${this.account}-${this.region}`,
        }),
      ).grantAssumeRole(this.role);
    }
  }
}

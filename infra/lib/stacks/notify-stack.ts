import { Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LAMBDA_BINARIES } from '../constructs/artifacts';
import { DeadLetteredQueue } from '../constructs/dead-lettered-queue';
import { RustFunction } from '../constructs/rust-function';
import { TopicKey } from '../constructs/topic-key';
import { grantTableReadWrite } from '../constructs/table-access';
import { functionDefaults, nothingWatched, StageContext, Watched } from '../stage-context';

/** Domain events whose detail type starts with this are notifications to send. */
export const NOTIFICATION_DETAIL_TYPE_PREFIX = 'Notification';

/** A push platform application and the ARN pattern of its device endpoints. */
interface PlatformApplication {
  /** `APNS` or `FCM`, as in the worker's variables. */
  readonly key: string;
  readonly arn: string;
  readonly endpoints: string;
  readonly resource: cr.AwsCustomResource;
}

/** Props of {@link NotifyStack}. */
export interface NotifyStackProps extends StackProps {
  readonly context: StageContext;
  /** Keeps the idempotency records of sent notifications. */
  readonly table: dynamodb.ITable;
  /** The domain event bus; the worker is fed only through its queue when absent. */
  readonly bus?: events.IEventBus;
}

/**
 * Notifications: the SES identity and configuration set (bounces and complaints suppressed and
 * reported back), SNS platform applications from secrets, and the worker that sends both.
 */
export class NotifyStack extends Stack {
  readonly requests: DeadLetteredQueue;
  readonly worker: RustFunction;
  readonly watched: Watched = nothingWatched();

  constructor(scope: Construct, id: string, props: NotifyStackProps) {
    super(scope, id, props);
    const { config } = props.context;
    this.requests = new DeadLetteredQueue(this, 'Requests', { visibilityTimeoutSeconds: 180 });
    const feedback = new DeadLetteredQueue(this, 'DeliveryFeedback', { visibilityTimeoutSeconds: 180 });

    const identity = new ses.EmailIdentity(this, 'Sender', {
      identity: config.emailIdentity.includes('@') ? ses.Identity.email(config.emailIdentity) : ses.Identity.domain(config.emailIdentity),
    });
    const configurationSet = new ses.ConfigurationSet(this, 'Sending', {
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
    });
    const feedbackTopic = new sns.Topic(this, 'FeedbackTopic', {
      masterKey: new TopicKey(this, 'FeedbackKey', { publisherService: 'ses.amazonaws.com', description: 'Encrypts SES bounce and complaint events' })
        .key,
      enforceSSL: true,
    });
    feedbackTopic.addSubscription(new subscriptions.SqsSubscription(feedback.queue, { rawMessageDelivery: true }));
    configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: ses.EventDestination.snsTopic(feedbackTopic),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });

    const platformApplications = this.platformApplications(props.context);
    this.worker = new RustFunction(this, 'Worker', {
      ...functionDefaults(props.context),
      binary: LAMBDA_BINARIES.notificationWorker,
      description: 'Sends email through SES and push through SNS, once per request',
      timeoutSeconds: 30,
      environment: {
        STACK_TABLE_NAME: props.table.tableName,
        STACK_NOTIFY_CONFIGURATION_SET: configurationSet.configurationSetName,
        STACK_NOTIFY_SENDER: config.emailIdentity,
        ...Object.fromEntries(platformApplications.map((app) => [`STACK_NOTIFY_${app.key}_APPLICATION_ARN`, app.arn])),
      },
    });
    for (const queue of [this.requests.queue, feedback.queue]) {
      this.worker.function.addEventSource(new sources.SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }));
    }
    grantTableReadWrite(props.table, this.worker);
    identity.grantSendEmail(this.worker);
    iam.Grant.addToPrincipal({
      grantee: this.worker,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName })],
    });
    this.grantPush(platformApplications);

    if (props.bus) {
      new events.Rule(this, 'NotificationEvents', {
        eventBus: props.bus,
        description: 'Notification domain events go to the worker',
        eventPattern: { detailType: events.Match.prefix(NOTIFICATION_DETAIL_TYPE_PREFIX) },
        targets: [new targets.SqsQueue(this.requests.queue, { deadLetterQueue: this.requests.deadLetterQueue })],
      });
    }
    this.watched.functions.push(this.worker);
    this.watched.deadLetterQueues.push(this.requests.deadLetterQueue, feedback.deadLetterQueue);
  }

  /** Lets `grantee` (a subgraph, say) ask for a notification. */
  grantRequest(grantee: iam.IGrantable): iam.Grant {
    return this.requests.queue.grantSendMessages(grantee);
  }

  /**
   * SNS platform applications have no CloudFormation type, so a custom resource creates them
   * through the SNS API, with the credentials read from Secrets Manager at deploy time.
   */
  private platformApplications(context: StageContext): PlatformApplication[] {
    const { apnsSecretName, fcmSecretName } = context.config.pushCredentialSecrets;
    const apps: PlatformApplication[] = [];
    const create = (id: string, platform: string, secretName: string, principal: boolean) => {
      const name = `${context.organisation.project}-${context.config.name}-${platform.toLowerCase()}`;
      const secret = secrets.Secret.fromSecretNameV2(this, `${id}Secret`, secretName);
      const attributes: Record<string, string> = { PlatformCredential: secret.secretValueFromJson('credential').unsafeUnwrap() };
      if (principal) attributes.PlatformPrincipal = secret.secretValueFromJson('principal').unsafeUnwrap();
      const arn = this.formatArn({ service: 'sns', resource: 'app', resourceName: `${platform}/${name}` });
      const resource = new cr.AwsCustomResource(this, id, {
        onUpdate: {
          service: 'SNS',
          action: 'createPlatformApplication',
          parameters: { Name: name, Platform: platform, Attributes: attributes },
          physicalResourceId: cr.PhysicalResourceId.of(arn),
          logging: cr.Logging.withDataHidden(),
        },
        onDelete: { service: 'SNS', action: 'deletePlatformApplication', parameters: { PlatformApplicationArn: arn } },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [arn] }),
        installLatestAwsSdk: false,
      });
      apps.push({ key: platform === 'GCM' ? 'FCM' : platform, arn, endpoints: `${arn.replace(':app/', ':endpoint/')}/*`, resource });
    };
    if (apnsSecretName) create('Apns', 'APNS', apnsSecretName, true);
    if (fcmSecretName) create('Fcm', 'GCM', fcmSecretName, false);
    if (apps.length > 0) {
      const provider = `/${this.node.path}/AWS679f53fac002430cb0da5b7982bd2287`;
      NagSuppressions.addResourceSuppressionsByPath(this, `${provider}/ServiceRole/Resource`, [
        {
          id: 'AwsSolutions-IAM4',
          reason:
            "CDK's AwsCustomResource provider writes its logs through the basic execution policy; its SNS calls are granted per application ARN.",
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        },
      ]);
      NagSuppressions.addResourceSuppressionsByPath(this, `${provider}/Resource`, [
        {
          id: 'AwsSolutions-L1',
          reason: "The AwsCustomResource provider's runtime is chosen by aws-cdk-lib and moves with its upgrades; it runs only during deployments.",
        },
      ]);
    }
    return apps;
  }

  private grantPush(apps: PlatformApplication[]): void {
    if (apps.length === 0) return;
    iam.Grant.addToPrincipal({
      grantee: this.worker,
      actions: ['sns:CreatePlatformEndpoint', 'sns:GetEndpointAttributes', 'sns:SetEndpointAttributes', 'sns:DeleteEndpoint', 'sns:Publish'],
      resourceArns: apps.flatMap((app) => [app.arn, app.endpoints]),
    });
    NagSuppressions.addResourceSuppressions(
      this.worker.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            "SNS names each device endpoint with a generated id under its platform application; the wildcard covers only this stage's applications.",
          appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:sns:.*:endpoint\\/.*\\/\\*$/g' }],
        },
      ],
      true,
    );
  }
}

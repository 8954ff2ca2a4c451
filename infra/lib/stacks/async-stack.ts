import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LAMBDA_BINARIES } from '../constructs/artifacts';
import { DeadLetteredQueue } from '../constructs/dead-lettered-queue';
import { RustFunction } from '../constructs/rust-function';
import { functionDefaults, nothingWatched, StageContext, Watched } from '../stage-context';

/** The `source` of every domain event the stream publisher puts on the bus. */
export const DOMAIN_EVENT_SOURCE_PREFIX = 'stack.';

/** Props of {@link AsyncStack}. */
export interface AsyncStackProps extends StackProps {
  readonly context: StageContext;
  /** The table whose stream becomes domain events. */
  readonly table: dynamodb.ITable;
}

/**
 * Domain events: the stream publisher turns table changes into events on the bus (partial
 * batch responses, bisect on error, failures to a dead-letter queue), and a rule feeds every
 * event to the analytics consumer through a queue.
 */
export class AsyncStack extends Stack {
  readonly bus: events.EventBus;
  readonly publisher: RustFunction;
  readonly analytics: RustFunction;
  readonly watched: Watched = nothingWatched();

  constructor(scope: Construct, id: string, props: AsyncStackProps) {
    super(scope, id, props);
    const defaults = functionDefaults(props.context);
    this.bus = new events.EventBus(this, 'Bus', { description: `${props.context.config.name} domain events` });

    this.publisher = new RustFunction(this, 'StreamPublisher', {
      ...defaults,
      binary: LAMBDA_BINARIES.streamPublisher,
      description: 'Publishes table changes to EventBridge as typed domain events',
      timeoutSeconds: 60,
      environment: { STACK_EVENT_BUS_NAME: this.bus.eventBusName },
    });
    this.bus.grantPutEventsTo(this.publisher);
    const streamFailures = new sqs.Queue(this, 'StreamFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    NagSuppressions.addResourceSuppressions(streamFailures, [
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the on-failure destination of the stream mapping: it is itself the dead-letter queue of the ' +
          'publisher, and nothing consumes it automatically.',
      },
    ]);
    this.publisher.function.addEventSource(
      new sources.DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        onFailure: new sources.SqsDlq(streamFailures),
      }),
    );

    const analyticsQueue = new DeadLetteredQueue(this, 'AnalyticsEvents', { visibilityTimeoutSeconds: 180 });
    new events.Rule(this, 'AllDomainEvents', {
      eventBus: this.bus,
      description: 'Every domain event goes to analytics',
      eventPattern: { source: events.Match.prefix(DOMAIN_EVENT_SOURCE_PREFIX) },
      targets: [new targets.SqsQueue(analyticsQueue.queue, { deadLetterQueue: analyticsQueue.deadLetterQueue })],
    });
    this.analytics = new RustFunction(this, 'AnalyticsConsumer', {
      ...defaults,
      binary: LAMBDA_BINARIES.analyticsConsumer,
      description: 'Consumes domain events for analytics',
      timeoutSeconds: 30,
    });
    this.analytics.function.addEventSource(
      new sources.SqsEventSource(analyticsQueue.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
      }),
    );

    this.watched.functions.push(this.publisher, this.analytics);
    this.watched.streamFunctions.push(this.publisher);
    this.watched.deadLetterQueues.push(streamFailures, analyticsQueue.deadLetterQueue);
  }
}

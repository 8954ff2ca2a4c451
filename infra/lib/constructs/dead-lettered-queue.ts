import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { requireIntegerInRange } from '../config/validate';

/** Props of {@link DeadLetteredQueue}. */
export interface DeadLetteredQueueProps {
  /** Must be at least the consumer's timeout. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Deliveries before a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** Days the dead-letter queue keeps a message for someone to look at. @default 14: the SQS maximum */
  readonly deadLetterRetentionDays?: number;
}

/** An encrypted, TLS-only queue whose failed messages move to an encrypted, TLS-only dead-letter queue. */
export class DeadLetteredQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetteredQueueProps = {}) {
    super(scope, id);
    const visibilityTimeoutSeconds = props.visibilityTimeoutSeconds ?? 60;
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const deadLetterRetentionDays = props.deadLetterRetentionDays ?? 14;
    requireIntegerInRange(`${id}: visibilityTimeoutSeconds`, visibilityTimeoutSeconds, 0, 43_200);
    requireIntegerInRange(`${id}: maxReceiveCount`, maxReceiveCount, 1, 1000);
    requireIntegerInRange(`${id}: deadLetterRetentionDays`, deadLetterRetentionDays, 1, 14);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(deadLetterRetentionDays),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }
}

import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props of {@link TopicKey}. */
export interface TopicKeyProps {
  /** The service that publishes to the topic, for example `cloudwatch.amazonaws.com`. */
  readonly publisherService: string;
  /** One line shown in the console. */
  readonly description: string;
}

/**
 * A customer managed key for an SNS topic that an AWS service publishes to. The AWS managed
 * `aws/sns` key cannot be used there: its policy cannot be changed to let CloudWatch alarms or
 * SES encrypt. Rotated yearly; removed with its stack.
 */
export class TopicKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: TopicKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.key.grant(new iam.ServicePrincipal(props.publisherService), 'kms:Decrypt', 'kms:GenerateDataKey*');
  }
}

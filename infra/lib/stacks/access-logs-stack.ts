import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { StageConfig } from '../config/types';

/** Props of {@link AccessLogsStack}. */
export interface AccessLogsStackProps extends StackProps {
  readonly config: StageConfig;
}

/** The bucket that receives S3 server access logs and CloudFront standard logs of the stage. */
export class AccessLogsStack extends Stack {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogsStackProps) {
    super(scope, id, props);
    const { retainData, logRetentionDays } = props.config;
    this.bucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes through bucket ACLs.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(logRetentionDays) }],
      removalPolicy: retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      { id: 'AwsSolutions-S1', reason: 'This is the access log bucket; logging it into itself would loop.' },
    ]);
  }
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LOG_RETENTION_DAYS, requireIntegerInRange, requireOneOf } from '../config/validate';
import { LambdaArtifacts, LambdaBinary } from './artifacts';

/** Props of {@link RustFunction}. */
export interface RustFunctionProps {
  /** The Cargo binary this function runs. */
  readonly binary: LambdaBinary;
  /** Where the built binaries are. */
  readonly artifacts: LambdaArtifacts;
  /** `arm64` on AWS; `x86_64` for artifacts built on an x86_64 host. */
  readonly architecture: 'arm64' | 'x86_64';
  /** Days CloudWatch keeps the function's log group. */
  readonly logRetentionDays: number;
  /** One line shown in the console. */
  readonly description: string;
  /** Memory, and with it CPU. @default 256: enough for a Rust binary with an AWS SDK client */
  readonly memorySizeMb?: number;
  /** Time one invocation may take. @default 10: an API request or a small batch */
  readonly timeoutSeconds?: number;
  /** Variables on top of the logging ones Lambda sets itself. @default none */
  readonly environment?: Record<string, string>;
  /** True keeps the log group when the stack is deleted. @default false: logs go with the stage */
  readonly retainLogs?: boolean;
  /**
   * A CloudWatch Logs destination (usually in the logs account) that receives every line.
   * @default none: logs stay in this account only
   */
  readonly logDestinationArn?: string;
}

/**
 * A Rust binary on `provided.al2023`: its own log group with a retention, JSON logs, X-Ray active
 * tracing, and a role that starts with nothing but writing its own logs and traces.
 *
 * Grant it more with the resources' `grant*` methods.
 */
export class RustFunction extends Construct implements iam.IGrantable {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: RustFunctionProps) {
    super(scope, id);
    const memorySizeMb = props.memorySizeMb ?? 256;
    const timeoutSeconds = props.timeoutSeconds ?? 10;
    requireIntegerInRange(`${id}: memorySizeMb`, memorySizeMb, 128, 10_240);
    requireIntegerInRange(`${id}: timeoutSeconds`, timeoutSeconds, 1, 900);
    requireOneOf(`${id}: logRetentionDays`, props.logRetentionDays, LOG_RETENTION_DAYS);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.binary} Lambda`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.PROVIDED_AL2023,
      handler: 'bootstrap',
      code: props.artifacts.code(props.binary),
      architecture: props.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: memorySizeMb,
      timeout: Duration.seconds(timeoutSeconds),
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      environment: props.environment,
    });
    this.grantPrincipal = this.role;

    if (props.logDestinationArn) {
      new logs.CfnSubscriptionFilter(this, 'ShipLogs', {
        logGroupName: this.logGroup.logGroupName,
        destinationArn: props.logDestinationArn,
        filterPattern: '',
      });
    }

    NagSuppressions.addResourceSuppressions(
      this.role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions, so Lambda active tracing grants them on *.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  /** Lets `grantee` invoke this function, and nothing else. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }
}

import { LambdaArtifacts } from './constructs/artifacts';
import { RustFunction, RustFunctionProps } from './constructs/rust-function';
import { OrganisationConfig, StageConfig } from './config/types';
import * as sqs from 'aws-cdk-lib/aws-sqs';

/** What every stack of a stage needs to know: its configuration and where the Lambda code is. */
export interface StageContext {
  readonly organisation: OrganisationConfig;
  readonly config: StageConfig;
  readonly artifacts: LambdaArtifacts;
}

/** What a stack hands to the monitoring stack: the functions and queues to watch. */
export interface Watched {
  readonly functions: RustFunction[];
  readonly deadLetterQueues: sqs.IQueue[];
  /** Stream consumers, watched for iterator age. */
  readonly streamFunctions: RustFunction[];
}

/** A `Watched` with nothing in it yet. */
export function nothingWatched(): Watched {
  return { functions: [], deadLetterQueues: [], streamFunctions: [] };
}

/** The ARN of the organisation's log destination in the stage's region. */
export function logDestinationArn(context: StageContext): string | undefined {
  if (!context.config.shipTelemetry) return undefined;
  const { logs, logDestinationName } = context.organisation.shared;
  return `arn:aws:logs:${context.config.target.region}:${logs.accountId}:destination:${logDestinationName}`;
}

/** The props every function of the stage shares. */
export function functionDefaults(
  context: StageContext,
): Pick<RustFunctionProps, 'artifacts' | 'architecture' | 'logRetentionDays' | 'retainLogs' | 'logDestinationArn'> {
  return {
    artifacts: context.artifacts,
    architecture: context.config.lambdaArchitecture,
    logRetentionDays: context.config.logRetentionDays,
    retainLogs: context.config.retainData,
    logDestinationArn: logDestinationArn(context),
  };
}

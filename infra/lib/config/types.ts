/**
 * The typed configuration of one deployment of The Stack.
 *
 * A stage is one copy of the whole app in one workload account; the monitoring and logs
 * accounts are shared by every stage of the organisation.
 */

/** The kinds of stage, from a developer's sandbox to a customer's dedicated production. */
export type StageKind = 'developer' | 'preview' | 'integration' | 'production' | 'production-single-tenant';

/** Every stage kind, in promotion order. */
export const STAGE_KINDS: readonly StageKind[] = ['developer', 'preview', 'integration', 'production', 'production-single-tenant'];

/** An AWS account and region: explicit, so synth never looks anything up. */
export interface AccountTarget {
  /** Twelve digits. */
  readonly accountId: string;
  readonly region: string;
}

/**
 * The optional modules, mirroring the Cargo features of the Rust crates.
 *
 * Switching a module off removes its resources, its routes and every grant that pointed at them.
 */
export interface ModuleSwitches {
  /** `stack-media`: upload and output buckets, MediaConvert role, media subgraph, image resizer. */
  readonly media: boolean;
  /** `stack-notify`: SES identity and configuration set, SNS platform applications, notification worker. */
  readonly notify: boolean;
  /** `stack-billing`: the Stripe webhook Lambda and its signing secret. */
  readonly billing: boolean;
  /** `stack-async`: the event bus, the stream publisher and the analytics consumer. */
  readonly async: boolean;
  /** The public single-page app and the internal app behind Cognito sign-in. */
  readonly frontends: boolean;
}

/** A global secondary index as the Rust entities declare it in `stack-dynamo`. */
export interface TableIndex {
  readonly indexName: string;
  readonly partitionKey: string;
  /** No sort key when absent. */
  readonly sortKey?: string;
}

/** The single table's shape; keys are strings named as `stack-dynamo` names them. */
export interface TableShape {
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly indexes: readonly TableIndex[];
  /** The attribute DynamoDB expires items by (epoch seconds). */
  readonly ttlAttribute: string;
}

/** Names a Route 53 zone and the host names under it. */
export interface DomainConfig {
  /** The apex, for example `example.com`. */
  readonly zoneName: string;
  /** True creates the public hosted zone in this stage; false expects it to exist elsewhere. */
  readonly createHostedZone: boolean;
  /** Host name of the API distribution, for example `api.example.com`. */
  readonly apiHostName: string;
  /** Host name of the public app. */
  readonly appHostName: string;
  /** Host name of the internal app. */
  readonly internalHostName: string;
}

/** The organisation-wide accounts every stage ships logs and telemetry to. */
export interface SharedAccounts {
  /** Holds the CloudWatch observability sink: metrics, logs and traces of every stage are visible there. */
  readonly monitoring: AccountTarget;
  /** Holds the log archive: every Lambda log group is subscribed to its destination. */
  readonly logs: AccountTarget;
  /** The name of the CloudWatch Logs destination in the logs account. */
  readonly logDestinationName: string;
  /** The AWS Organizations id, for example `o-abc123def4`; the shared accounts trust its members. */
  readonly organizationId: string;
  /**
   * The ARN of the observability sink, known once the monitoring account is deployed; stages
   * link to it only when it is set.
   */
  readonly monitoringSinkArn?: string;
}

/** Where GitHub Actions deploys from: the OIDC trust of the deploy roles. */
export interface GitHubConfig {
  readonly owner: string;
  readonly repository: string;
}

/** The complete configuration of one stage. */
export interface StageConfig {
  readonly kind: StageKind;
  /** Short, unique name used in resource names and tags: `dev-alice`, `pr-42`, `int`, `prod`, `acme`. */
  readonly name: string;
  readonly target: AccountTarget;
  readonly modules: ModuleSwitches;
  readonly table: TableShape;
  /** No hosted zone, no certificate and CloudFront's own names when absent. */
  readonly domain?: DomainConfig;
  /** Days CloudWatch keeps every log group of the stage. */
  readonly logRetentionDays: number;
  /** True keeps tables, buckets and secrets when the stage is deleted. */
  readonly retainData: boolean;
  /** Lambda architecture: `arm64` on AWS; `x86_64` only for artifacts built on an x86_64 host. */
  readonly lambdaArchitecture: 'arm64' | 'x86_64';
  /** Requests one client IP may make in five minutes before WAF blocks it. */
  readonly wafRateLimitPer5Minutes: number;
  /** How long API Gateway caches an authorizer decision. */
  readonly authorizerCacheTtlSeconds: number;
  /** Steady-state request rate of the API stage. */
  readonly apiThrottleRatePerSecond: number;
  /** Burst of the API stage. */
  readonly apiThrottleBurst: number;
  /** Receives alarm notifications; alarms publish to the stage's topic only when absent. */
  readonly alarmEmail?: string;
  /** The customer of a single-tenant production stage; absent elsewhere. */
  readonly tenant?: string;
  /** The cost centre in the cost allocation tags. */
  readonly costCenter: string;
  /** The sender identity SES verifies: a domain (`example.com`) or an address. */
  readonly emailIdentity: string;
  /** Secrets Manager names holding push credentials; no platform application when absent. */
  readonly pushCredentialSecrets: {
    readonly apnsSecretName?: string;
    readonly fcmSecretName?: string;
  };
  /** Days before untranscoded uploads are deleted. */
  readonly uploadExpiryDays: number;
  /** True ships logs and telemetry to the shared monitoring and logs accounts. */
  readonly shipTelemetry: boolean;
}

/** The whole organisation: the shared accounts, the source repository and every stage. */
export interface OrganisationConfig {
  /** Prefix of every resource name and the `project` cost allocation tag. */
  readonly project: string;
  readonly shared: SharedAccounts;
  readonly github: GitHubConfig;
  readonly stages: readonly StageConfig[];
}

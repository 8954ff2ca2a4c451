import { ModuleSwitches, OrganisationConfig, StageConfig, StageKind, TableShape } from './types';
import { validateOrganisation } from './validate';

/**
 * The table as `stack-dynamo` declares it: string keys `pk` and `sk` (entity type in `_type`), its
 * default secondary indexes `gsi1` and `gsi2` keyed by `<index>pk` and `<index>sk`, and the TTL
 * attribute `ttl` (epoch seconds). Keep in step with `stack_dynamo::attr` and `DEFAULT_INDEXES`.
 */
export const DEFAULT_TABLE: TableShape = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: ['gsi1', 'gsi2'].map((indexName) => ({ indexName, partitionKey: `${indexName}pk`, sortKey: `${indexName}sk` })),
  ttlAttribute: 'ttl',
};

/** Every module on: the full example app. */
export const ALL_MODULES: ModuleSwitches = { media: true, notify: true, billing: true, async: true, frontends: true };

/** The settings every stage starts from; each kind below overrides what differs. */
function baseStage(kind: StageKind, name: string, accountId: string): StageConfig {
  return {
    kind,
    name,
    target: { accountId, region: 'us-east-1' },
    modules: ALL_MODULES,
    table: DEFAULT_TABLE,
    logRetentionDays: 14,
    retainData: false,
    lambdaArchitecture: 'arm64',
    wafRateLimitPer5Minutes: 2000,
    authorizerCacheTtlSeconds: 300,
    apiThrottleRatePerSecond: 50,
    apiThrottleBurst: 100,
    costCenter: 'engineering',
    emailIdentity: 'example.com',
    pushCredentialSecrets: {},
    uploadExpiryDays: 7,
    shipTelemetry: false,
  };
}

/** A developer's own stage in the shared sandbox account, named after them. */
export function developerStage(developer: string): StageConfig {
  return { ...baseStage('developer', `dev-${developer}`, '111111111111'), logRetentionDays: 7 };
}

/** The stage of one pull request, created when it opens and destroyed when it closes. */
export function previewStage(pullRequest: number): StageConfig {
  return { ...baseStage('preview', `pr-${pullRequest}`, '222222222222'), logRetentionDays: 3 };
}

/** Dummy account ids stand in for real ones: replace them with your organisation's accounts. */
export const ORGANISATION: OrganisationConfig = {
  project: 'stack',
  shared: {
    monitoring: { accountId: '666666666666', region: 'us-east-1' },
    logs: { accountId: '777777777777', region: 'us-east-1' },
    logDestinationName: 'stack-log-archive',
    organizationId: 'o-exampleorg1',
    monitoringSinkArn: 'arn:aws:oam:us-east-1:666666666666:sink/00000000-0000-4000-8000-000000000000',
  },
  github: { owner: 'the-stack', repository: 'the-stack' },
  stages: [
    developerStage('local'),
    previewStage(0),
    {
      ...baseStage('integration', 'int', '333333333333'),
      logRetentionDays: 30,
      shipTelemetry: true,
    },
    {
      ...baseStage('production', 'prod', '444444444444'),
      logRetentionDays: 365,
      retainData: true,
      wafRateLimitPer5Minutes: 5000,
      apiThrottleRatePerSecond: 1000,
      apiThrottleBurst: 2000,
      alarmEmail: 'oncall@example.com',
      shipTelemetry: true,
      domain: {
        zoneName: 'example.com',
        createHostedZone: true,
        apiHostName: 'api.example.com',
        appHostName: 'app.example.com',
        internalHostName: 'internal.example.com',
      },
      pushCredentialSecrets: { apnsSecretName: 'stack/prod/apns', fcmSecretName: 'stack/prod/fcm' },
    },
    {
      ...baseStage('production-single-tenant', 'acme', '555555555555'),
      tenant: 'acme',
      costCenter: 'customer-acme',
      logRetentionDays: 365,
      retainData: true,
      apiThrottleRatePerSecond: 200,
      apiThrottleBurst: 400,
      alarmEmail: 'oncall@example.com',
      shipTelemetry: true,
      modules: { ...ALL_MODULES, billing: false },
    },
  ],
};

validateOrganisation(ORGANISATION);

/** The stage named `name`, or an error listing the names there are. */
export function stageNamed(config: OrganisationConfig, name: string): StageConfig {
  const stage = config.stages.find((candidate) => candidate.name === name);
  if (!stage) {
    throw new Error(`no stage named '${name}': choose one of ${config.stages.map((s) => s.name).join(', ')}`);
  }
  return stage;
}

/**
 * The organisation plus the stages the environment asks for: `STACK_PREVIEW_PR` adds the preview
 * stage of that pull request, `STACK_DEVELOPER` the developer's own stage.
 */
export function organisationFor(env: Record<string, string | undefined>, base: OrganisationConfig = ORGANISATION): OrganisationConfig {
  const extra: StageConfig[] = [];
  const pullRequest = env.STACK_PREVIEW_PR;
  if (pullRequest) {
    if (!/^\d{1,7}$/.test(pullRequest)) throw new Error(`STACK_PREVIEW_PR must be a pull request number, got '${pullRequest}'`);
    extra.push(previewStage(Number(pullRequest)));
  }
  if (env.STACK_DEVELOPER) extra.push(developerStage(env.STACK_DEVELOPER));
  const organisation = { ...base, stages: [...base.stages, ...extra] };
  validateOrganisation(organisation);
  return organisation;
}

import { App, Stack, Stage, StageProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { OrganisationConfig, StageConfig } from './config/types';
import { LambdaArtifacts } from './constructs/artifacts';
import { AccessLogsStack } from './stacks/access-logs-stack';
import { ApiStack } from './stacks/api-stack';
import { AsyncStack } from './stacks/async-stack';
import { BillingStack } from './stacks/billing-stack';
import { DataStack } from './stacks/data-stack';
import { EdgeStack } from './stacks/edge-stack';
import { FrontendStack } from './stacks/frontend-stack';
import { IdentityStack } from './stacks/identity-stack';
import { MediaStack } from './stacks/media-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NotifyStack } from './stacks/notify-stack';
import { DeployAccessStack, LogsAccountStack, MonitoringAccountStack } from './stacks/shared-accounts';
import { StageContext, Watched } from './stage-context';

/** CloudFront reads certificates and web ACLs from this region only. */
const EDGE_REGION = 'us-east-1';

/** Props of {@link WorkloadStage}. */
export interface WorkloadStageProps extends StageProps {
  readonly organisation: OrganisationConfig;
  readonly config: StageConfig;
  readonly artifacts: LambdaArtifacts;
}

/** One deployment of the app in one workload account: a stack per concern, modules per config. */
export class WorkloadStage extends Stage {
  readonly edge: EdgeStack;
  readonly accessLogs: AccessLogsStack;
  readonly data: DataStack;
  readonly identity: IdentityStack;
  readonly api: ApiStack;
  readonly monitoring: MonitoringStack;
  readonly frontend?: FrontendStack;
  readonly media?: MediaStack;
  readonly async?: AsyncStack;
  readonly notify?: NotifyStack;
  readonly billing?: BillingStack;

  constructor(scope: Construct, id: string, props: WorkloadStageProps) {
    const { accountId, region } = props.config.target;
    super(scope, id, { ...props, env: { account: accountId, region } });
    const context: StageContext = { organisation: props.organisation, config: props.config, artifacts: props.artifacts };
    const { config, organisation } = props;
    const { modules } = config;
    const env = { account: accountId, region };
    const crossRegionReferences = region !== EDGE_REGION;
    const named = (concern: string) => ({ env, crossRegionReferences, stackName: `${organisation.project}-${config.name}-${concern}` });

    this.edge = new EdgeStack(this, 'Edge', { ...named('edge'), env: { account: accountId, region: EDGE_REGION }, config });
    this.accessLogs = new AccessLogsStack(this, 'AccessLogs', { ...named('access-logs'), config });
    this.data = new DataStack(this, 'Data', { ...named('data'), config });
    this.identity = new IdentityStack(this, 'Identity', {
      ...named('identity'),
      config,
      domainPrefix: `${organisation.project}-${config.name}-${accountId}`,
    });
    const shared = { accessLogs: this.accessLogs.bucket, webAclArn: this.edge.webAclArn };

    if (modules.media) {
      const uploadOrigins = config.domain ? [`https://${config.domain.appHostName}`] : ['*'];
      this.media = new MediaStack(this, 'Media', { ...named('media'), context, ...shared, uploadOrigins });
    }
    this.api = new ApiStack(this, 'Api', {
      ...named('api'),
      context,
      ...shared,
      table: this.data.table,
      users: this.identity.users,
      usersClient: this.identity.usersClient,
      certificate: this.edge.certificate,
      media: this.media,
    });
    if (modules.frontends) {
      this.frontend = new FrontendStack(this, 'Frontend', {
        ...named('frontend'),
        config,
        ...shared,
        certificate: this.edge.certificate,
        staff: this.identity.staff,
        staffClient: this.identity.staffClient,
        staffDomain: this.identity.staffDomain,
      });
    }
    if (modules.async) this.async = new AsyncStack(this, 'Async', { ...named('async'), context, table: this.data.table });
    if (modules.notify) {
      this.notify = new NotifyStack(this, 'Notify', { ...named('notify'), context, table: this.data.table, bus: this.async?.bus });
      this.notify.grantRequest(this.api.todoSubgraph);
      this.api.todoSubgraph.function.addEnvironment('STACK_NOTIFY_QUEUE_URL', this.notify.requests.queue.queueUrl);
    }
    if (modules.billing)
      this.billing = new BillingStack(this, 'Billing', { ...named('billing'), context, table: this.data.table, httpApi: this.api.httpApi });

    const watched: Watched[] = [this.api, this.media, this.async, this.notify, this.billing]
      .filter((stack): stack is NonNullable<typeof stack> => stack !== undefined)
      .map((stack) => stack.watched);
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      ...named('monitoring'),
      context,
      watched,
      httpApi: this.api.httpApi,
      monitoringSinkArn: config.shipTelemetry ? organisation.shared.monitoringSinkArn : undefined,
    });
    tagForCostAllocation(this, organisation, config);
  }

  /** Every stack of the stage. */
  get stacks(): Stack[] {
    return this.node.children.filter((child): child is Stack => child instanceof Stack);
  }
}

/** The cost allocation tags every resource of a stage carries (activate them in the billing console). */
export function tagForCostAllocation(scope: Construct, organisation: OrganisationConfig, config: StageConfig): void {
  Tags.of(scope).add('stack:project', organisation.project);
  Tags.of(scope).add('stack:stage', config.name);
  Tags.of(scope).add('stack:stage-kind', config.kind);
  Tags.of(scope).add('stack:cost-center', config.costCenter);
  Tags.of(scope).add('stack:tenant', config.tenant ?? 'multi-tenant');
}

/** Props of {@link SharedAccountsStage}. */
export interface SharedAccountsStageProps extends StageProps {
  readonly organisation: OrganisationConfig;
}

/** The organisation-wide pieces: the monitoring and logs accounts, and deploy access to every workload account. */
export class SharedAccountsStage extends Stage {
  constructor(scope: Construct, id: string, props: SharedAccountsStageProps) {
    super(scope, id, props);
    const { organisation } = props;
    const { monitoring, logs } = organisation.shared;
    const named = (concern: string) => `${organisation.project}-${concern}`;
    new MonitoringAccountStack(this, 'MonitoringAccount', {
      organisation,
      env: { account: monitoring.accountId, region: monitoring.region },
      stackName: named('monitoring-account'),
    });
    new LogsAccountStack(this, 'LogsAccount', {
      organisation,
      env: { account: logs.accountId, region: logs.region },
      stackName: named('logs-account'),
    });
    const accounts = new Map<string, StageConfig>();
    organisation.stages.forEach((stage) => accounts.set(stage.target.accountId, stage));
    for (const [accountId, stage] of accounts) {
      new DeployAccessStack(this, `DeployAccess${accountId}`, {
        organisation,
        env: { account: accountId, region: stage.target.region },
        stackName: named('deploy-access'),
        githubEnvironment: stage.kind === 'production-single-tenant' ? `production-${stage.name}` : stage.kind,
        trustPullRequests: stage.kind === 'preview',
      });
    }
    Tags.of(this).add('stack:project', organisation.project);
    Tags.of(this).add('stack:stage', 'shared');
  }
}

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  readonly organisation: OrganisationConfig;
  readonly artifacts: LambdaArtifacts;
  /** Only these stages, by name. @default every stage of the organisation */
  readonly stageNames?: string[];
  /** Also the shared accounts stage. @default true */
  readonly includeShared?: boolean;
}

/** Adds the organisation's stages to `app`. */
export function buildApp(app: App, options: BuildAppOptions): { stages: WorkloadStage[]; shared?: SharedAccountsStage } {
  const { organisation, artifacts } = options;
  const chosen = options.stageNames ? organisation.stages.filter((stage) => options.stageNames!.includes(stage.name)) : organisation.stages;
  const stages = chosen.map((config) => new WorkloadStage(app, config.name, { organisation, config, artifacts }));
  const shared = options.includeShared === false ? undefined : new SharedAccountsStage(app, 'shared', { organisation });
  return { stages, shared };
}

import { Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as oam from 'aws-cdk-lib/aws-oam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { requireIntegerInRange } from '../config/validate';
import { TopicKey } from '../constructs/topic-key';
import { StageContext, Watched } from '../stage-context';

/** Props of {@link MonitoringStack}. */
export interface MonitoringStackProps extends StackProps {
  readonly context: StageContext;
  /** What the other stacks of the stage asked to be watched. */
  readonly watched: Watched[];
  /** The API whose server errors are alarmed on. */
  readonly httpApi: apigw.IHttpApi;
  /** How far behind the stream the publisher may fall before its alarm fires. @default 60: a minute behind */
  readonly maxIteratorAgeSeconds?: number;
  /** The OAM sink in the monitoring account; the stage is not linked to it when absent. */
  readonly monitoringSinkArn?: string;
}

/**
 * The stage's dashboard and alarms (errors, throttles, dead-letter depth, iterator age, API
 * server errors), the topic they notify, and the link that shares this account's metrics, logs
 * and traces with the monitoring account.
 */
export class MonitoringStack extends Stack {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const maxIteratorAgeSeconds = props.maxIteratorAgeSeconds ?? 60;
    requireIntegerInRange(`${id}: maxIteratorAgeSeconds`, maxIteratorAgeSeconds, 1, 86_400);
    const { config, organisation } = props.context;

    this.alarmTopic = new sns.Topic(this, 'Alarms', {
      displayName: `${organisation.project} ${config.name} alarms`,
      masterKey: new TopicKey(this, 'AlarmsKey', { publisherService: 'cloudwatch.amazonaws.com', description: 'Encrypts the alarm topic' }).key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${organisation.project}-${config.name}`,
      defaultInterval: Duration.hours(3),
    });

    const functions = props.watched.flatMap((w) => w.functions);
    const deadLetterQueues = props.watched.flatMap((w) => w.deadLetterQueues);
    const streamFunctions = props.watched.flatMap((w) => w.streamFunctions);

    const api5xx = new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      dimensionsMap: { ApiId: props.httpApi.apiId, Stage: '$default' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    this.alarm('ApiServerErrors', api5xx, 5, 'The API answered 5 or more server errors in 5 minutes');
    this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: 'API server errors', left: [api5xx], width: 24 }));

    for (const fn of functions) {
      const name = fn.node.id;
      const errors = fn.function.metricErrors({ period: Duration.minutes(5) });
      const throttles = fn.function.metricThrottles({ period: Duration.minutes(5) });
      this.alarm(`${name}Errors`, errors, 1, `${name} failed an invocation`);
      this.alarm(`${name}Throttles`, throttles, 1, `${name} was throttled`);
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: `${name} invocations and errors`, left: [fn.function.metricInvocations(), errors], width: 12 }),
        new cloudwatch.GraphWidget({ title: `${name} duration and throttles`, left: [fn.function.metricDuration()], right: [throttles], width: 12 }),
      );
    }
    for (const fn of streamFunctions) {
      const age = new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: fn.function.functionName },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      });
      this.alarm(`${fn.node.id}IteratorAge`, age, maxIteratorAgeSeconds * 1000, `${fn.node.id} lags the stream by over ${maxIteratorAgeSeconds} s`);
      this.dashboard.addWidgets(new cloudwatch.GraphWidget({ title: `${fn.node.id} iterator age (ms)`, left: [age], width: 24 }));
    }
    for (const queue of deadLetterQueues) {
      // Named after the queue's owner, so switching a module off leaves the other alarms' ids alone.
      const name = `${queue.node.scope?.node.id ?? 'Queue'}${queue.node.id}`;
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
      this.alarm(`DeadLetters${name}`, depth, 1, `${name} holds a message that failed every retry`);
    }
    if (deadLetterQueues.length > 0) {
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Dead-letter queue depth',
          left: deadLetterQueues.map((q) => q.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum' })),
          width: 24,
        }),
      );
    }

    if (props.monitoringSinkArn) {
      new oam.CfnLink(this, 'MonitoringLink', {
        sinkIdentifier: props.monitoringSinkArn,
        labelTemplate: `${config.name}-$AccountName`,
        resourceTypes: ['AWS::CloudWatch::Metric', 'AWS::Logs::LogGroup', 'AWS::XRay::Trace'],
      });
    }
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    this.alarms.push(alarm);
  }
}

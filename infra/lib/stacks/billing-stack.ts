import { RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as integrations from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LAMBDA_BINARIES } from '../constructs/artifacts';
import { RustFunction } from '../constructs/rust-function';
import { grantTableReadWrite } from '../constructs/table-access';
import { functionDefaults, nothingWatched, StageContext, Watched } from '../stage-context';

/** The path Stripe posts events to. */
export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** Props of {@link BillingStack}. */
export interface BillingStackProps extends StackProps {
  readonly context: StageContext;
  /** Keeps subscription state and processed-event records. */
  readonly table: dynamodb.ITable;
  /** The API the webhook route is added to. */
  readonly httpApi: apigw.IHttpApi;
}

/**
 * Billing: the Stripe webhook Lambda on `POST /webhooks/stripe` and its signing secret.
 *
 * The secret is created with a random value; paste the `whsec_...` value from Stripe's dashboard
 * into it once per stage (see infra/README.md).
 */
export class BillingStack extends Stack {
  readonly webhook: RustFunction;
  readonly signingSecret: secrets.Secret;
  readonly watched: Watched = nothingWatched();

  constructor(scope: Construct, id: string, props: BillingStackProps) {
    super(scope, id, props);
    this.signingSecret = new secrets.Secret(this, 'StripeSigningSecret', {
      description: 'Stripe webhook signing secret (whsec_...), set by hand from the Stripe dashboard',
      removalPolicy: props.context.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    NagSuppressions.addResourceSuppressions(this.signingSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'Stripe issues the signing secret; it is rolled in the Stripe dashboard and pasted here, so no rotation Lambda can rotate it.',
      },
    ]);

    this.webhook = new RustFunction(this, 'StripeWebhook', {
      ...functionDefaults(props.context),
      binary: LAMBDA_BINARIES.stripeWebhook,
      description: 'Verifies and handles Stripe webhook events',
      environment: { STACK_TABLE_NAME: props.table.tableName, STACK_STRIPE_SIGNING_SECRET_ARN: this.signingSecret.secretArn },
    });
    this.signingSecret.grantRead(this.webhook);
    grantTableReadWrite(props.table, this.webhook);

    const route = new apigw.HttpRoute(this, 'WebhookRoute', {
      httpApi: props.httpApi,
      routeKey: apigw.HttpRouteKey.with(STRIPE_WEBHOOK_PATH, apigw.HttpMethod.POST),
      integration: new integrations.HttpLambdaIntegration('StripeWebhook', this.webhook.function),
    });
    NagSuppressions.addResourceSuppressions(route, [
      {
        id: 'AwsSolutions-APIG4',
        reason: 'Stripe cannot present a Cognito JWT; the webhook Lambda verifies the Stripe-Signature header against the signing secret instead.',
      },
    ]);
    this.watched.functions.push(this.webhook);
  }
}

import { Match } from 'aws-cdk-lib/assertions';
import { stageConfig, synthStage } from './support';

const prod = synthStage(stageConfig('prod'));
const { stage } = prod;

describe('data', () => {
  test('given a stage, then the table is on demand with PITR, a new-and-old-image stream, TTL, encryption and the stack-dynamo indexes', () => {
    prod.template(stage.data).hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
        }),
      ],
      SSESpecification: { SSEEnabled: true },
    });
  });

  test('given other configured indexes and TTL attribute, when synthesized, then the table declares those instead', () => {
    const config = stageConfig('int');
    const custom = synthStage({
      ...config,
      table: { ...config.table, ttlAttribute: 'expiresAt', indexes: [{ indexName: 'byOwner', partitionKey: 'owner' }] },
    });

    custom.template(custom.stage.data).hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byOwner', KeySchema: [{ AttributeName: 'owner', KeyType: 'HASH' }] })],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('api', () => {
  const api = () => prod.template(stage.api);

  test('given the API, then the authorizer caches its decisions for the configured time', () => {
    api().hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 300,
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization', '$request.header.x-stack-origin-verify'],
    });
  });

  test('given the API, then the functions get the settings the Rust binaries read, secrets by reference only', () => {
    api().hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Checks Cognito JWTs for API Gateway',
      Environment: {
        Variables: Match.objectLike({
          STACK_AUTH_ISSUER: Match.anyValue(),
          STACK_AUTH_CLIENT_IDS: Match.anyValue(),
          STACK_AUTH_TOKEN_USE: 'access',
        }),
      },
    });
    api().hasResourceProperties('AWS::Lambda::Function', {
      Description: 'The Todo subgraph',
      Environment: {
        Variables: Match.objectLike({
          STACK_TABLE_BACKEND: 'dynamodb',
          STACK_CURSOR_KEY: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['{{resolve:secretsmanager:'])]) }),
        }),
      },
    });
  });

  test('given the API, then every GraphQL route needs the authorizer', () => {
    const routes = Object.values(api().findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('CUSTOM');
  });

  test('given the API, then the router may invoke each subgraph and no function has a public URL', () => {
    api().hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
    api().resourceCountIs('AWS::Lambda::Url', 0);
  });

  test('given the API, then CloudFront sits in front with the web ACL, HTTPS only and logging', () => {
    api().hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: Match.anyValue(),
        Logging: Match.anyValue(),
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
      }),
    });
  });

  test('given the API stage, then it is throttled and writes access logs', () => {
    api().hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('every function', () => {
  test('given any stack, then each Rust function is arm64 provided.al2023, traced, with JSON logs and the stage log retention', () => {
    for (const stack of stage.stacks) {
      const template = prod.template(stack);
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'provided.al2023' } }))) {
        expect(fn.Properties).toMatchObject({
          Architectures: ['arm64'],
          Handler: 'bootstrap',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON' },
        });
      }
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.RetentionInDays).toBe(365);
      }
    }
  });

  test('given any stack, then no IAM statement allows every action', () => {
    for (const stack of stage.stacks) {
      for (const policy of Object.values(prod.template(stack).findResources('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          expect([statement.Action].flat()).not.toContain('*');
        }
      }
    }
  });

  test('given a stage that ships telemetry, then each function log group is subscribed to the logs account', () => {
    prod.template(stage.api).hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      DestinationArn: 'arn:aws:logs:us-east-1:777777777777:destination:stack-log-archive',
    });
  });
});

describe('async', () => {
  test('given the stream publisher, then it reports batch item failures, bisects on error and sends failures to a queue', () => {
    prod.template(stage.async!).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('given the SQS consumers, then each reports batch item failures and each queue has a dead-letter queue', () => {
    for (const stack of [stage.async!, stage.notify!]) {
      const template = prod.template(stack);
      const sqsMappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => !m.Properties.StartingPosition);
      expect(sqsMappings.length).toBeGreaterThan(0);
      for (const mapping of sqsMappings) expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      const queues = Object.values(template.findResources('AWS::SQS::Queue'));
      const redriven = queues.filter((q) => q.Properties.RedrivePolicy);
      expect(redriven.length).toBeGreaterThan(0);
      for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
  });
});

describe('media', () => {
  test('given the buckets, then public access is blocked, uploads allow CORS and expire, and only uploads/ emits events', () => {
    const media = prod.template(stage.media!);
    for (const bucket of Object.values(media.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.LifecycleConfiguration).toBeDefined();
    }
    media.hasResourceProperties('AWS::S3::Bucket', { CorsConfiguration: Match.anyValue() });
    media.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { bucket: Match.anyValue(), object: { key: [{ prefix: 'uploads/' }] } } }),
    });
  });

  test('given upload events, then the media subgraph consumes them with batch failure reporting', () => {
    prod.template(stage.api).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('UploadEvents') }),
    });
  });

  test('given the image resizer, then its URL needs IAM (CloudFront origin access control) and it writes only resized/', () => {
    const media = prod.template(stage.media!);
    media.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    const resizerPolicy = Object.entries(media.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ImageResizer'))![1];
    const puts = resizerPolicy.Properties.PolicyDocument.Statement.filter((s: any) =>
      [s.Action].flat().some((a: string) => a.startsWith('s3:PutObject')),
    );
    expect(JSON.stringify(puts)).toContain('/resized/*');
    expect(JSON.stringify(puts)).not.toContain('Uploads');
  });
});

describe('monitoring', () => {
  test('given the stage, then there is one dashboard and alarms on errors, throttles, dead letters and iterator age', () => {
    const monitoring = prod.template(stage.monitoring);
    monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const metrics = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties.MetricName);
    expect(metrics).toEqual(expect.arrayContaining(['Errors', 'Throttles', 'ApproximateNumberOfMessagesVisible', 'IteratorAge', '5xx']));
    monitoring.hasResourceProperties('AWS::Oam::Link', { ResourceTypes: Match.arrayWith(['AWS::XRay::Trace']) });
  });
});

describe('identity', () => {
  test('given the pools, then staff must use MFA and no client allows the implicit flow except the internal app', () => {
    const identity = prod.template(stage.identity);
    identity.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, MfaConfiguration: 'ON' });
    const clients = Object.entries(identity.findResources('AWS::Cognito::UserPoolClient'));
    for (const [id, client] of clients) {
      const flows = client.Properties.AllowedOAuthFlows ?? [];
      expect({ id, implicit: flows.includes('implicit') }).toEqual({ id, implicit: id.startsWith('StaffInternalApp') });
    }
  });
});

describe('topics', () => {
  test('given the alarm and SES feedback topics, then each is encrypted with a rotated key its publishing service may use', () => {
    for (const [stack, service] of [
      [stage.monitoring, 'cloudwatch.amazonaws.com'],
      [stage.notify!, 'ses.amazonaws.com'],
    ] as const) {
      const template = prod.template(stack);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: service } })]) },
      });
    }
  });
});

describe('frontends', () => {
  test('given the apps, then their buckets are private behind origin access control and the internal app checks sign-in at the edge', () => {
    const frontend = prod.template(stage.frontend!);
    frontend.resourceCountIs('AWS::CloudFront::OriginAccessControl', 2);
    frontend.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({ LambdaFunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })] }),
      }),
    });
  });
});

describe('billing', () => {
  test('given billing, then Stripe posts to a route without the authorizer and the webhook reads its secret', () => {
    const billing = prod.template(stage.billing!);
    billing.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /webhooks/stripe', AuthorizationType: 'NONE' });
    billing.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });
});

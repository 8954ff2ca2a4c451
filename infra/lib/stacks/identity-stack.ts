import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { StageConfig } from '../config/types';

/** Props of {@link IdentityStack}. */
export interface IdentityStackProps extends StackProps {
  readonly config: StageConfig;
  /** Prefix of the hosted sign-in domains; must be unique in the region. */
  readonly domainPrefix: string;
}

/**
 * The two Cognito user pools: the app's users, whose JWTs the API authorizer checks, and the
 * staff who sign in to the internal app.
 */
export class IdentityStack extends Stack {
  readonly users: cognito.UserPool;
  readonly usersClient: cognito.UserPoolClient;
  readonly staff: cognito.UserPool;
  readonly staffClient: cognito.UserPoolClient;
  readonly staffDomain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const removalPolicy = props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const passwordPolicy = { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true };

    this.users = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy,
    });
    const appUrl = props.config.domain ? `https://${props.config.domain.appHostName}` : 'https://localhost:4000';
    this.usersClient = this.users.addClient('App', {
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${appUrl}/auth/callback`],
        logoutUrls: [appUrl],
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });
    NagSuppressions.addResourceSuppressions(this.users, [
      { id: 'AwsSolutions-COG2', reason: 'Customers of the public app opt in to MFA (TOTP is offered); the staff pool requires it.' },
      { id: 'AwsSolutions-COG3', reason: 'Threat protection needs the Plus feature plan, a per-user monthly cost; enable it per stage when wanted.' },
    ]);

    this.staff = new cognito.UserPool(this, 'Staff', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy,
    });
    this.staffDomain = this.staff.addDomain('SignIn', { cognitoDomain: { domainPrefix: `${props.domainPrefix}-staff` } });
    const internalUrl = props.config.domain ? `https://${props.config.domain.internalHostName}` : 'https://localhost:4000';
    this.staffClient = this.staff.addClient('InternalApp', {
      oAuth: {
        flows: { implicitCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [`${internalUrl}/auth/callback.html`],
        logoutUrls: [internalUrl],
      },
      idTokenValidity: Duration.hours(8),
      preventUserExistenceErrors: true,
    });
    NagSuppressions.addResourceSuppressions(this.staff, [
      {
        id: 'AwsSolutions-COG3',
        reason: 'Threat protection needs the Plus feature plan, a per-user monthly cost; staff sign-in requires MFA instead.',
      },
    ]);
  }
}

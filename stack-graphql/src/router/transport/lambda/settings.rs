//! Where Invoke calls go and whom they are signed as: region, endpoint, credentials, clock.

use std::sync::Arc;

use http::{HeaderValue, Uri};
use stack_core::clock::{SharedClock, SystemClock};
use stack_core::config::EnvReader;

use crate::outbound::is_loopback;
use crate::router::error::RouterError;

/// The longest region name accepted; real ones are far shorter.
const MAX_REGION_LEN: usize = 64;

/// Static AWS credentials: an access key, its secret and, for temporary credentials, the
/// session token.
///
/// `Debug` shows the access key id only; the secret and the token are never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl AwsCredentials {
    /// Long-term credentials: an access key id and its secret.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }

    /// The same credentials with a session token, as temporary credentials (a Lambda
    /// function's role, an ECS task role) come.
    #[must_use]
    pub fn with_session_token(mut self, session_token: impl Into<String>) -> Self {
        self.session_token = Some(session_token.into());
        self
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// Whether these are temporary credentials, with a session token.
    pub fn has_session_token(&self) -> bool {
        self.session_token.is_some()
    }

    /// The signer's form of these credentials.
    pub(super) fn to_signing(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            self.session_token.clone(),
            None,
            "stack-graphql",
        )
    }

    /// Checks that the credentials can be sent in headers; names the bad part on failure.
    fn check(&self) -> Result<(), (Part, &'static str)> {
        let id = &self.access_key_id;
        let id_ok = !id.is_empty()
            && id
                .bytes()
                .all(|byte| byte.is_ascii_graphic() && !matches!(byte, b'/' | b','));
        if !id_ok {
            return Err((
                Part::AccessKeyId,
                "must be non-empty printable ASCII without `/` or `,`",
            ));
        }
        if self.secret_access_key.is_empty() {
            return Err((Part::SecretAccessKey, "is empty"));
        }
        if let Some(token) = &self.session_token
            && (token.is_empty() || HeaderValue::from_str(token).is_err())
        {
            return Err((Part::SessionToken, "is empty or cannot be sent in a header"));
        }
        Ok(())
    }
}

/// One part of [`AwsCredentials`], to name in errors.
#[derive(Debug, Clone, Copy)]
enum Part {
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
}

impl Part {
    /// The environment variable Lambda gives this part in.
    fn variable(self) -> &'static str {
        match self {
            Self::AccessKeyId => "AWS_ACCESS_KEY_ID",
            Self::SecretAccessKey => "AWS_SECRET_ACCESS_KEY",
            Self::SessionToken => "AWS_SESSION_TOKEN",
        }
    }

    /// The setting's name when given in code.
    fn field(self) -> &'static str {
        match self {
            Self::AccessKeyId => "credentials.access_key_id",
            Self::SecretAccessKey => "credentials.secret_access_key",
            Self::SessionToken => "credentials.session_token",
        }
    }
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// How a [`LambdaTransport`](super::LambdaTransport) reaches the Lambda service.
///
/// Read them from the environment with [`from_env`](Self::from_env), as a Lambda function,
/// an ECS task or a CI job is given them, or build them in code (for tests, or credentials
/// obtained some other way) with [`new`](Self::new).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
///
/// use stack_core::clock::FixedClock;
/// use stack_graphql::router::{AwsCredentials, LambdaSettings};
///
/// let credentials = AwsCredentials::new("AKIDEXAMPLE", "secret").with_session_token("token");
/// let settings = LambdaSettings::new("eu-west-1", credentials)
///     .endpoint("http://127.0.0.1:4566")
///     .clock(FixedClock::at(UNIX_EPOCH + Duration::from_secs(1_767_225_600)));
/// assert_eq!(settings.endpoint_url(), "http://127.0.0.1:4566");
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LambdaSettings {
    /// The region the functions run in, and the signatures are scoped to.
    pub region: String,
    /// The service endpoint, when not the region's public one (an emulator, a VPC endpoint).
    pub endpoint: Option<String>,
    /// Whom the calls are signed as.
    pub credentials: AwsCredentials,
    /// The clock the signatures are dated by.
    pub clock: SharedClock,
}

impl LambdaSettings {
    /// Settings for `region`'s public endpoint, signed with `credentials` at the system time.
    pub fn new(region: impl Into<String>, credentials: AwsCredentials) -> Self {
        Self {
            region: region.into(),
            endpoint: None,
            credentials,
            clock: Arc::new(SystemClock),
        }
    }

    /// The same settings with another service endpoint (`https`, or `http` to a loopback
    /// host), such as an emulator's.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The same settings with another clock, for signatures at a fixed time.
    #[must_use]
    pub fn clock(mut self, clock: impl stack_core::clock::Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Reads the settings from the process environment.
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` | the credentials (required) |
    /// | `AWS_SESSION_TOKEN` | the session token of temporary credentials |
    /// | `AWS_REGION`, else `AWS_DEFAULT_REGION` | the region (required) |
    /// | `AWS_ENDPOINT_URL_LAMBDA`, else `AWS_ENDPOINT_URL` | another endpoint, ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true` |
    ///
    /// Lambda sets the credentials and the region for every function from its execution
    /// role. No other source of credentials is consulted (no profile files, no instance
    /// metadata).
    ///
    /// # Errors
    ///
    /// [`RouterError::LambdaSetting`] naming the first variable that is missing or unusable.
    pub fn from_env() -> Result<Self, RouterError> {
        Self::from_env_reader(&EnvReader::from_process())
    }

    /// Reads the settings from `env`, as [`from_env`](Self::from_env) does from the process.
    ///
    /// # Errors
    ///
    /// [`RouterError::LambdaSetting`] naming the first variable that is missing or unusable.
    pub fn from_env_reader(env: &EnvReader) -> Result<Self, RouterError> {
        let required = |name: &'static str| {
            env.raw(name).ok_or(RouterError::LambdaSetting {
                setting: name,
                reason: "is not set",
            })
        };
        let access_key_id = required("AWS_ACCESS_KEY_ID")?;
        let secret_access_key = required("AWS_SECRET_ACCESS_KEY")?;
        let mut credentials = AwsCredentials::new(access_key_id, secret_access_key);
        if let Some(token) = env.raw("AWS_SESSION_TOKEN") {
            credentials = credentials.with_session_token(token);
        }
        credentials
            .check()
            .map_err(|(part, reason)| RouterError::LambdaSetting {
                setting: part.variable(),
                reason,
            })?;

        let (region_var, region) = ["AWS_REGION", "AWS_DEFAULT_REGION"]
            .into_iter()
            .find_map(|name| Some((name, env.raw(name)?)))
            .ok_or(RouterError::LambdaSetting {
                setting: "AWS_REGION",
                reason: "is not set (nor AWS_DEFAULT_REGION)",
            })?;
        check_region(region).map_err(|reason| RouterError::LambdaSetting {
            setting: region_var,
            reason,
        })?;
        let mut settings = Self::new(region, credentials);

        let ignore_endpoints = env
            .raw("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"));
        let endpoint = ["AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"]
            .into_iter()
            .find_map(|name| Some((name, env.raw(name)?)))
            .filter(|_| !ignore_endpoints);
        if let Some((name, url)) = endpoint {
            Endpoint::parse(url).map_err(|reason| RouterError::LambdaSetting {
                setting: name,
                reason,
            })?;
            settings = settings.endpoint(url);
        }
        Ok(settings)
    }

    /// The endpoint calls go to: the configured one, else the region's public endpoint.
    pub fn endpoint_url(&self) -> String {
        match &self.endpoint {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => regional_endpoint(&self.region),
        }
    }

    /// Checks every setting, and works out the endpoint.
    pub(super) fn validate(&self) -> Result<Endpoint, RouterError> {
        check_region(&self.region).map_err(|reason| RouterError::LambdaSetting {
            setting: "region",
            reason,
        })?;
        self.credentials
            .check()
            .map_err(|(part, reason)| RouterError::LambdaSetting {
                setting: part.field(),
                reason,
            })?;
        let url = self.endpoint_url();
        Endpoint::parse(&url).map_err(|reason| RouterError::InvalidUrl { url, reason })
    }
}

/// The public endpoint of Lambda in `region`.
fn regional_endpoint(region: &str) -> String {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    format!("https://lambda.{region}.{suffix}")
}

/// A region name: lower-case letters, digits and inner hyphens, as in `eu-west-1`.
fn check_region(region: &str) -> Result<(), &'static str> {
    let well_formed = !region.is_empty()
        && region.len() <= MAX_REGION_LEN
        && !region.starts_with('-')
        && !region.ends_with('-')
        && region
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
    if well_formed {
        Ok(())
    } else {
        Err("is not a region name (lower-case letters, digits and hyphens, like `eu-west-1`)")
    }
}

/// A checked service endpoint.
#[derive(Debug, Clone)]
pub(super) struct Endpoint {
    /// Scheme, authority and path prefix, without a trailing slash.
    pub(super) base: String,
    /// The `host` header every call carries, and signs.
    pub(super) host: HeaderValue,
    /// Whether calls use TLS.
    pub(super) tls: bool,
}

impl Endpoint {
    /// Parses `url`: `https`, or `http` to a loopback host; no credentials, query or fragment.
    pub(super) fn parse(url: &str) -> Result<Self, &'static str> {
        let base = url.trim_end_matches('/');
        let uri: Uri = base.parse().map_err(|_| "not a URL")?;
        let (Some(authority), Some(host)) = (uri.authority(), uri.host()) else {
            return Err("not an absolute URL with a host");
        };
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") if is_loopback(host) => false,
            Some("http") => return Err("plain http is only allowed to loopback hosts"),
            _ => return Err("not an http(s) URL"),
        };
        if authority.as_str().contains('@') {
            return Err("credentials in the URL are not allowed");
        }
        if uri.query().is_some() || base.contains('#') {
            return Err("a query or fragment is not allowed");
        }
        let host = HeaderValue::from_str(authority.as_str()).map_err(|_| "not a valid host")?;
        Ok(Self {
            base: base.to_owned(),
            host,
            tls,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn setting(error: RouterError) -> &'static str {
        match error {
            RouterError::LambdaSetting { setting, .. } => setting,
            other => panic!("not a setting error: {other}"),
        }
    }

    const KEYS: [(&str, &str); 2] = [
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ];

    #[test]
    fn the_environment_gives_credentials_region_and_endpoint() {
        let env = EnvReader::from_pairs(KEYS.into_iter().chain([
            ("AWS_SESSION_TOKEN", "token"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"),
        ]));
        let settings = LambdaSettings::from_env_reader(&env).unwrap();
        assert_eq!(settings.region, "eu-west-1");
        assert_eq!(settings.credentials.access_key_id(), "AKIDEXAMPLE");
        assert!(settings.credentials.has_session_token());
        assert_eq!(settings.endpoint_url(), "http://127.0.0.1:5000");
    }

    #[test]
    fn aws_region_wins_and_the_lambda_endpoint_wins() {
        let env = EnvReader::from_pairs(KEYS.into_iter().chain([
            ("AWS_REGION", "us-east-2"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ENDPOINT_URL_LAMBDA", "http://localhost:1"),
            ("AWS_ENDPOINT_URL", "http://localhost:2"),
        ]));
        let settings = LambdaSettings::from_env_reader(&env).unwrap();
        assert_eq!(settings.region, "us-east-2");
        assert_eq!(settings.endpoint_url(), "http://localhost:1");
    }

    #[test]
    fn configured_endpoints_can_be_ignored() {
        let env = EnvReader::from_pairs(KEYS.into_iter().chain([
            ("AWS_REGION", "us-east-2"),
            ("AWS_ENDPOINT_URL", "http://localhost:2"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]));
        let settings = LambdaSettings::from_env_reader(&env).unwrap();
        assert_eq!(
            settings.endpoint_url(),
            "https://lambda.us-east-2.amazonaws.com"
        );
    }

    #[test]
    fn missing_and_bad_variables_are_named() {
        let only = |pairs: &[(&'static str, &'static str)]| {
            setting(
                LambdaSettings::from_env_reader(&EnvReader::from_pairs(pairs.to_vec()))
                    .unwrap_err(),
            )
        };
        assert_eq!(only(&[]), "AWS_ACCESS_KEY_ID");
        assert_eq!(only(&KEYS[..1]), "AWS_SECRET_ACCESS_KEY");
        assert_eq!(only(&KEYS), "AWS_REGION");
        let mut pairs = KEYS.to_vec();
        pairs.push(("AWS_REGION", "Not A Region"));
        assert_eq!(only(&pairs), "AWS_REGION");
        pairs.pop();
        pairs.push(("AWS_DEFAULT_REGION", "eu-west-1"));
        pairs.push(("AWS_ENDPOINT_URL", "http://lambda.example.com"));
        assert_eq!(only(&pairs), "AWS_ENDPOINT_URL");
        pairs.pop();
        pairs.push(("AWS_SESSION_TOKEN", "line\nbreak"));
        assert_eq!(only(&pairs), "AWS_SESSION_TOKEN");
    }

    #[test]
    fn regions_map_to_their_partition_endpoints() {
        assert_eq!(
            regional_endpoint("eu-central-1"),
            "https://lambda.eu-central-1.amazonaws.com"
        );
        assert_eq!(
            regional_endpoint("cn-north-1"),
            "https://lambda.cn-north-1.amazonaws.com.cn"
        );
    }

    #[test]
    fn endpoints_are_https_or_loopback_http() {
        let host = |url: &str| Endpoint::parse(url).map(|e| (e.host, e.tls));
        assert_eq!(
            host("https://lambda.eu-west-1.amazonaws.com").unwrap(),
            (
                HeaderValue::from_static("lambda.eu-west-1.amazonaws.com"),
                true
            )
        );
        assert_eq!(
            host("http://[::1]:4566/").unwrap(),
            (HeaderValue::from_static("[::1]:4566"), false)
        );
        assert!(host("http://lambda.example.com").is_err());
        assert!(host("https://user:pw@lambda.example.com").is_err());
        assert!(host("https://lambda.example.com/?a=b").is_err());
        assert!(host("/relative").is_err());
        assert!(host("ftp://127.0.0.1").is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let credentials =
            AwsCredentials::new("AKIDEXAMPLE", "very-secret").with_session_token("tok");
        let printed = format!("{credentials:?}");
        assert!(printed.contains("AKIDEXAMPLE"));
        assert!(!printed.contains("very-secret") && !printed.contains("tok\""));
    }
}

//! The authorizer's settings, from the environment.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use stack_core::Mode;
use stack_core::clock::SharedClock;
use stack_core::config::{ConfigError, CoreConfig, EnvReader};

use super::claims::TokenUse;
use super::error::{IssuerError, JwksError};
use super::keys::KeyCache;
use super::local_issuer::LocalIssuer;
use super::verifier::{TokenVerifier, VerifierSettings};

/// Whose tokens are trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrustedIssuer {
    /// A Cognito user pool (or an emulator of one).
    Remote {
        /// The exact `iss` of its tokens.
        issuer: String,
        /// Where its JWKS is served.
        jwks_url: String,
    },
    /// The local issuer whose key is kept under this data directory.
    Local {
        /// `STACK_DATA_DIR`.
        data_dir: PathBuf,
    },
}

/// Everything the authorizer reads at start.
///
/// | variable | meaning |
/// |---|---|
/// | `STACK_AUTH_ISSUER` | the exact `iss` of accepted tokens; required in Lambda; locally, unset means the local issuer's tokens (key under `STACK_DATA_DIR`) |
/// | `STACK_AUTH_JWKS_URL` | where the keys are fetched (default `$STACK_AUTH_ISSUER/.well-known/jwks.json`); `https`, or `http` to loopback only |
/// | `STACK_AUTH_CLIENT_IDS` | comma-separated app client ids; required with `STACK_AUTH_ISSUER` |
/// | `STACK_AUTH_TOKEN_USE` | `access` (default), `id`, or `any` |
/// | `STACK_AUTH_LEEWAY_SECONDS` | clock leeway for `exp`, `nbf`, `iat` (default 30, at most 300) |
/// | `STACK_AUTH_JWKS_MIN_REFETCH_SECONDS` | least time between two JWKS fetches (default 60, at least 5) |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthorizerConfig {
    /// Whose tokens are trusted.
    pub issuer: TrustedIssuer,
    /// The verifier's settings.
    pub settings: VerifierSettings,
    /// The least time between two JWKS fetches.
    pub min_refetch_interval: Duration,
}

impl AuthorizerConfig {
    /// Reads the settings, reporting every missing or invalid variable at once.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] that lists each problem.
    pub fn read(mut env: EnvReader) -> Result<Self, ConfigError> {
        let mode = Mode::from_env(&env);
        let core = CoreConfig::read(&mut env);
        let remote = mode == Mode::Lambda || env.is_set("STACK_AUTH_ISSUER");
        let (issuer, settings) = if remote {
            let issuer: String = env.required("STACK_AUTH_ISSUER");
            let issuer_url = issuer.trim_end_matches('/').to_owned();
            let jwks_url = env
                .optional("STACK_AUTH_JWKS_URL")
                .unwrap_or_else(|| format!("{issuer_url}/.well-known/jwks.json"));
            let client_ids = client_ids(&mut env);
            let settings = VerifierSettings::new(issuer.clone(), client_ids);
            (TrustedIssuer::Remote { issuer, jwks_url }, settings)
        } else {
            let data_dir = core.data_dir.clone();
            (
                TrustedIssuer::Local { data_dir },
                LocalIssuer::verifier_settings(),
            )
        };
        let token_uses = token_uses(&mut env);
        let leeway = env
            .optional::<u64>("STACK_AUTH_LEEWAY_SECONDS")
            .unwrap_or(30);
        if leeway > 300 {
            env.invalid("STACK_AUTH_LEEWAY_SECONDS", "at most 300 seconds");
        }
        let refetch = env.optional::<u64>("STACK_AUTH_JWKS_MIN_REFETCH_SECONDS");
        if refetch.is_some_and(|seconds| seconds < MIN_REFETCH_FLOOR_SECONDS) {
            // Lower, and a flood of tokens naming made-up keys becomes a flood of fetches.
            env.invalid("STACK_AUTH_JWKS_MIN_REFETCH_SECONDS", "at least 5 seconds");
        }
        env.finish()?;
        Ok(Self {
            issuer,
            settings: settings
                .with_token_uses(token_uses)
                .with_leeway(Duration::from_secs(leeway)),
            min_refetch_interval: refetch
                .map_or(KeyCache::DEFAULT_MIN_INTERVAL, Duration::from_secs),
        })
    }

    /// Builds the verifier: the JWKS client for a remote issuer, the key file for the local one.
    ///
    /// # Errors
    ///
    /// Fails when the JWKS URL is unusable or the local key cannot be loaded.
    pub fn verifier(&self, clock: SharedClock) -> Result<TokenVerifier, StartError> {
        let keys = match &self.issuer {
            TrustedIssuer::Remote { jwks_url, .. } => KeyCache::remote(jwks_url, clock.clone())?
                .with_min_interval(self.min_refetch_interval),
            TrustedIssuer::Local { data_dir } => {
                let issuer = LocalIssuer::open(data_dir, clock.clone())?;
                KeyCache::fixed(issuer.key_set())
            }
        };
        Ok(TokenVerifier::new(self.settings.clone(), keys, clock))
    }

    /// [`verifier`](Self::verifier), shared.
    ///
    /// # Errors
    ///
    /// As [`verifier`](Self::verifier).
    pub fn shared_verifier(&self, clock: SharedClock) -> Result<Arc<TokenVerifier>, StartError> {
        self.verifier(clock).map(Arc::new)
    }
}

fn client_ids(env: &mut EnvReader) -> Vec<String> {
    let raw: String = env.required("STACK_AUTH_CLIENT_IDS");
    let ids: Vec<String> = raw
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.is_empty() && !raw.is_empty() {
        env.invalid("STACK_AUTH_CLIENT_IDS", "name at least one client id");
    }
    ids
}

fn token_uses(env: &mut EnvReader) -> Vec<TokenUse> {
    match env.raw("STACK_AUTH_TOKEN_USE") {
        None | Some("access") => vec![TokenUse::Access],
        Some("id") => vec![TokenUse::Id],
        Some("any") => vec![TokenUse::Access, TokenUse::Id],
        Some(_) => {
            env.invalid("STACK_AUTH_TOKEN_USE", "expected `access`, `id` or `any`");
            Vec::new()
        }
    }
}

/// The shortest interval between JWKS fetches that may be configured, in seconds.
const MIN_REFETCH_FLOOR_SECONDS: u64 = 5;

/// The authorizer could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The JWKS URL is unusable.
    #[error(transparent)]
    Jwks(#[from] JwksError),
    /// The local issuer's key could not be loaded.
    #[error(transparent)]
    Issuer(#[from] IssuerError),
    /// The runtime failed.
    #[error(transparent)]
    Runtime(#[from] stack_core::RuntimeError),
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn lambda_requires_an_issuer_and_clients() {
        let env = EnvReader::from_pairs([
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("STACK_AUTH_TOKEN_USE", "both"),
        ]);
        let names: Vec<String> = AuthorizerConfig::read(env)
            .unwrap_err()
            .problems()
            .iter()
            .map(|p| p.name.clone())
            .collect();
        assert_eq!(
            names,
            [
                "STACK_AUTH_ISSUER",
                "STACK_AUTH_CLIENT_IDS",
                "STACK_AUTH_TOKEN_USE"
            ]
        );
    }

    #[test]
    fn the_jwks_url_defaults_to_the_issuers_well_known_path() {
        let env = EnvReader::from_pairs([
            (
                "STACK_AUTH_ISSUER",
                "https://cognito-idp.us-east-1.amazonaws.com/pool/",
            ),
            ("STACK_AUTH_CLIENT_IDS", "a, b,"),
            ("STACK_AUTH_TOKEN_USE", "any"),
        ]);
        let config = AuthorizerConfig::read(env).unwrap();
        assert_eq!(
            config.issuer,
            TrustedIssuer::Remote {
                issuer: "https://cognito-idp.us-east-1.amazonaws.com/pool/".to_owned(),
                jwks_url: "https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json"
                    .to_owned(),
            }
        );
        assert_eq!(config.settings.client_ids, ["a", "b"]);
        assert_eq!(config.settings.token_uses, [TokenUse::Access, TokenUse::Id]);
    }

    #[test]
    fn locally_no_variables_means_the_local_issuer() {
        let env = EnvReader::from_pairs([("STACK_DATA_DIR", "/tmp/x")]);
        let config = AuthorizerConfig::read(env).unwrap();
        assert_eq!(
            config.issuer,
            TrustedIssuer::Local {
                data_dir: "/tmp/x".into()
            }
        );
        assert_eq!(config.settings.issuer, crate::authorizer::LOCAL_ISSUER);
    }
}

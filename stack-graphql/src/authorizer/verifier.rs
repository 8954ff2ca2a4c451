//! The token verifier: signature with a trusted key, then the claims.

use std::time::Duration;

use stack_core::clock::SharedClock;

use super::claims::{self, Expectations, TokenUse, VerifiedToken};
use super::error::TokenError;
use super::jws::Compact;
use super::keys::KeyCache;

/// What a verifier accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifierSettings {
    /// The exact `iss` of accepted tokens, such as
    /// `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E`.
    pub issuer: String,
    /// The app client ids tokens may be issued to (`client_id` of access tokens, `aud` of id
    /// tokens).
    pub client_ids: Vec<String>,
    /// The accepted `token_use` values (default: access tokens only).
    pub token_uses: Vec<TokenUse>,
    /// How far `exp`, `nbf` and `iat` may be off the clock (default 30 seconds).
    pub leeway: Duration,
}

impl VerifierSettings {
    /// The default clock leeway.
    pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(30);

    /// Accepts access tokens from `issuer` for the given clients.
    pub fn new(
        issuer: impl Into<String>,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_ids: client_ids.into_iter().map(Into::into).collect(),
            token_uses: vec![TokenUse::Access],
            leeway: Self::DEFAULT_LEEWAY,
        }
    }

    /// Sets the accepted token uses.
    #[must_use]
    pub fn with_token_uses(mut self, token_uses: impl IntoIterator<Item = TokenUse>) -> Self {
        self.token_uses = token_uses.into_iter().collect();
        self
    }

    /// Sets the clock leeway.
    #[must_use]
    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }
}

/// Verifies Cognito JWTs: signature by a trusted key with the key's algorithm, then issuer,
/// `token_use`, client, `exp`/`nbf`/`iat` and the required claims.
///
/// ```
/// use std::sync::Arc;
///
/// use stack_core::clock::SystemClock;
/// use stack_graphql::authorizer::{KeyCache, KeySet, TokenVerifier, VerifierSettings};
///
/// # async fn example() {
/// let settings = VerifierSettings::new("https://issuer.example", ["my-client"]);
/// let keys = KeyCache::fixed(KeySet::default());
/// let verifier = TokenVerifier::new(settings, keys, Arc::new(SystemClock));
/// assert!(verifier.verify("not.a.token").await.is_err());
/// # }
/// ```
#[derive(Debug)]
pub struct TokenVerifier {
    settings: VerifierSettings,
    keys: KeyCache,
    clock: SharedClock,
}

impl TokenVerifier {
    /// A verifier with its settings, keys and clock.
    pub fn new(settings: VerifierSettings, keys: KeyCache, clock: SharedClock) -> Self {
        Self {
            settings,
            keys,
            clock,
        }
    }

    /// What this verifier accepts.
    pub fn settings(&self) -> &VerifierSettings {
        &self.settings
    }

    /// Verifies a token (without the `Bearer ` prefix).
    ///
    /// # Errors
    ///
    /// A [`TokenError`] saying why the token is refused, or
    /// [`TokenError::KeysUnavailable`] when the keys could not be loaded.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        let compact = Compact::parse(token)?;
        // A token without a key id can never verify: no reason to fetch anything for it.
        let kid = compact.kid().ok_or(TokenError::UnknownKey)?;
        let keys = self
            .keys
            .keys_for(Some(kid))
            .await
            .map_err(TokenError::KeysUnavailable)?;
        let payload = compact.verify(&keys)?;
        let expect = Expectations {
            issuer: &self.settings.issuer,
            client_ids: &self.settings.client_ids,
            token_uses: &self.settings.token_uses,
            leeway: self.settings.leeway,
            now: self.clock.now(),
        };
        claims::check(&payload, &expect)
    }
}

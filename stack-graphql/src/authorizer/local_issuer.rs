//! The local token issuer: real RS256 tokens for local mode, verified by the same code as
//! Cognito's.
//!
//! The key is kept under the data directory (`$STACK_DATA_DIR/auth/local-issuer-key.der`,
//! PKCS#8, owner-only permissions) and created on first start, so tokens survive a restart of
//! the local app and a curl command from yesterday still works. [`LocalIssuer::generate`]
//! makes a per-process key instead, for tests.
//!
//! [`LocalIssuer::service`] serves, in local mode only:
//!
//! - `POST /auth/dev-token` with `{"sub": "...", "username"?, "groups"?, "scopes"?}` answers
//!   `{"token": "...", "expiresIn": 3600}`: an access token for [`LOCAL_CLIENT_ID`];
//! - `GET /auth/.well-known/jwks.json` answers the public key as a JWKS.
//!
//! Requests that came through the Lambda edge are answered 404: the issuer is never served by
//! a deployed function.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use stack_core::Mode;
use stack_core::clock::SharedClock;
use stack_core::http::{EdgeContext, HttpService, Request, Response, json_response};

use super::error::IssuerError;
use super::jwks::KeySet;
use super::keys::KeyCache;
use super::verifier::{TokenVerifier, VerifierSettings};

/// The `iss` of local tokens.
pub const LOCAL_ISSUER: &str = "urn:stack:local-issuer";

/// The client id local access tokens are issued to.
pub const LOCAL_CLIENT_ID: &str = "stack-local";

/// The path that issues development tokens.
pub const DEV_TOKEN_PATH: &str = "/auth/dev-token";

/// The path of the local JWKS.
pub const LOCAL_JWKS_PATH: &str = "/auth/.well-known/jwks.json";

/// The key file, under the data directory.
const KEY_FILE: &str = "auth/local-issuer-key.der";

/// The largest accepted token request body.
const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// Signs development tokens with a local RSA key.
pub struct LocalIssuer {
    key: KeyPair,
    kid: String,
    jwks: Value,
    clock: SharedClock,
    lifetime: Duration,
}

impl std::fmt::Debug for LocalIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIssuer")
            .field("kid", &self.kid)
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// What a development token says about its caller.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DevTokenRequest {
    /// The user id (`sub`): 1 to 256 bytes, no control characters, no surrounding spaces.
    pub sub: String,
    /// The user name (default: the `sub`).
    #[serde(default)]
    pub username: Option<String>,
    /// Cognito groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// OAuth scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl DevTokenRequest {
    /// A request for a token naming only `sub`.
    pub fn new(sub: impl Into<String>) -> Self {
        Self {
            sub: sub.into(),
            username: None,
            groups: Vec::new(),
            scopes: Vec::new(),
        }
    }
}

impl LocalIssuer {
    /// How long development tokens live by default.
    pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

    /// The issuer with the key kept under `data_dir`, created on first use.
    ///
    /// # Errors
    ///
    /// Fails when the key file cannot be read, parsed or written.
    pub fn open(data_dir: &Path, clock: SharedClock) -> Result<Self, IssuerError> {
        let path = data_dir.join(KEY_FILE);
        let key = match std::fs::read(&path) {
            Ok(der) => KeyPair::from_pkcs8(&der).map_err(|_| key_file(&path, "parsed", None))?,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = new_key()?;
                store(&path, &key)?;
                tracing::info!(
                    target: "stack_graphql::authorizer",
                    path = %path.display(),
                    "created the local signing key",
                );
                key
            }
            Err(error) => return Err(key_file(&path, "read", Some(error))),
        };
        Self::with_key(key, clock)
    }

    /// The issuer with a key made for this process only.
    ///
    /// # Errors
    ///
    /// Fails when the key cannot be generated.
    pub fn generate(clock: SharedClock) -> Result<Self, IssuerError> {
        Self::with_key(new_key()?, clock)
    }

    fn with_key(key: KeyPair, clock: SharedClock) -> Result<Self, IssuerError> {
        let (modulus, exponent) = rsa_public_numbers(key.public_key().as_ref())
            .ok_or(IssuerError::Crypto("describe its public key"))?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, modulus);
        let kid = format!("local-{}", URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]));
        let jwks = json!({ "keys": [{
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(modulus), "e": URL_SAFE_NO_PAD.encode(exponent),
        }]});
        Ok(Self {
            key,
            kid,
            jwks,
            clock,
            lifetime: Self::DEFAULT_LIFETIME,
        })
    }

    /// Sets how long tokens live.
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    /// The public key as a JWKS document.
    pub fn jwks(&self) -> &Value {
        &self.jwks
    }

    /// The public key as a key set, for an in-process verifier.
    pub fn key_set(&self) -> KeySet {
        KeySet::from_json(self.jwks.to_string().as_bytes()).unwrap_or_default()
    }

    /// What a verifier of local tokens accepts: [`LOCAL_ISSUER`], [`LOCAL_CLIENT_ID`], access
    /// tokens.
    pub fn verifier_settings() -> VerifierSettings {
        VerifierSettings::new(LOCAL_ISSUER, [LOCAL_CLIENT_ID])
    }

    /// A verifier of this issuer's tokens, with the keys handed over in-process.
    pub fn verifier(&self) -> TokenVerifier {
        TokenVerifier::new(
            Self::verifier_settings(),
            KeyCache::fixed(self.key_set()),
            self.clock.clone(),
        )
    }

    /// Signs an access token for the caller `request` describes.
    ///
    /// # Errors
    ///
    /// Fails with [`IssuerError::BadRequest`] when the `sub` (or another field) is not
    /// acceptable, or when signing fails.
    pub fn issue(&self, request: &DevTokenRequest) -> Result<String, IssuerError> {
        check_request(request)?;
        let now = self
            .clock
            .now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let mut jti = [0u8; 12];
        aws_lc_rs::rand::fill(&mut jti).map_err(|_| IssuerError::Crypto("draw a token id"))?;
        let claims = json!({
            "sub": request.sub,
            "iss": LOCAL_ISSUER,
            "client_id": LOCAL_CLIENT_ID,
            "token_use": "access",
            "username": request.username.as_deref().unwrap_or(&request.sub),
            "cognito:groups": request.groups,
            "scope": request.scopes.join(" "),
            "iat": now,
            "exp": now + self.lifetime.as_secs(),
            "jti": URL_SAFE_NO_PAD.encode(jti),
        });
        let header = json!({ "alg": "RS256", "kid": self.kid, "typ": "JWT" });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &rng,
                signing_input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| IssuerError::Crypto("sign"))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }

    /// The HTTP service for [`DEV_TOKEN_PATH`] and [`LOCAL_JWKS_PATH`], answering only
    /// requests that came through the local edge.
    pub fn service(self: Arc<Self>) -> impl HttpService {
        move |request: Request| {
            let issuer = self.clone();
            async move { issuer.answer(&request) }
        }
    }

    /// Whether `path` is one the issuer answers, for an app that mounts it beside others.
    pub fn serves(path: &str) -> bool {
        path == DEV_TOKEN_PATH || path == LOCAL_JWKS_PATH
    }

    /// Answers one request (see [`LocalIssuer::service`]).
    pub fn answer(&self, request: &Request) -> Response {
        let local = EdgeContext::of(request).is_some_and(|edge| edge.mode == Mode::Local);
        let path = request.uri().path();
        if !local || !Self::serves(path) {
            return error(StatusCode::NOT_FOUND, "not found");
        }
        match (request.method(), path) {
            (&Method::GET, LOCAL_JWKS_PATH) => json_response(StatusCode::OK, &self.jwks),
            (&Method::POST, DEV_TOKEN_PATH) => self.answer_token(request.body()),
            _ => error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        }
    }

    fn answer_token(&self, body: &[u8]) -> Response {
        if body.len() > MAX_REQUEST_BYTES {
            return error(StatusCode::PAYLOAD_TOO_LARGE, "the body is too large");
        }
        let request: DevTokenRequest = match serde_json::from_slice(body) {
            Ok(request) => request,
            Err(e) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("expected {{\"sub\": \"...\"}}: {e}"),
                );
            }
        };
        match self.issue(&request) {
            Ok(token) => json_response(
                StatusCode::OK,
                &json!({ "token": token, "expiresIn": self.lifetime.as_secs() }),
            ),
            Err(IssuerError::BadRequest(message)) => error(StatusCode::BAD_REQUEST, &message),
            Err(failure) => {
                tracing::error!(
                    target: "stack_graphql::authorizer",
                    error = %stack_core::error::chain(&failure),
                    "the local issuer failed",
                );
                error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    stack_core::error::INTERNAL_MESSAGE,
                )
            }
        }
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

fn check_request(request: &DevTokenRequest) -> Result<(), IssuerError> {
    let fine = |text: &str| {
        !text.is_empty() && text.chars().count() <= 128 && !text.chars().any(char::is_control)
    };
    if !stack_core::auth::valid_subject(&request.sub) {
        return Err(IssuerError::BadRequest(
            "`sub` must be 1 to 256 bytes, without control characters or surrounding spaces"
                .to_owned(),
        ));
    }
    let others = request
        .username
        .iter()
        .chain(&request.groups)
        .chain(&request.scopes);
    if let Some(bad) = others.into_iter().find(|text| !fine(text)) {
        let shown: String = bad.chars().take(32).collect();
        return Err(IssuerError::BadRequest(format!(
            "{shown:?} must be 1 to 128 characters, without control characters"
        )));
    }
    if request.scopes.iter().any(|scope| scope.contains(' ')) {
        return Err(IssuerError::BadRequest(
            "scopes cannot contain spaces".to_owned(),
        ));
    }
    Ok(())
}

fn new_key() -> Result<KeyPair, IssuerError> {
    KeyPair::generate(KeySize::Rsa2048).map_err(|_| IssuerError::Crypto("generate"))
}

fn key_file(path: &Path, action: &'static str, source: Option<std::io::Error>) -> IssuerError {
    IssuerError::KeyFile {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Writes the key atomically (a temporary file renamed), readable by the owner only.
fn store(path: &Path, key: &KeyPair) -> Result<(), IssuerError> {
    let der = key.as_der().map_err(|_| IssuerError::Crypto("serialise"))?;
    let written = |source| key_file(path, "written", Some(source));
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(written)?;
    }
    let temporary = PathBuf::from(format!("{}.tmp", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temporary).map_err(written)?;
    std::io::Write::write_all(&mut file, der.as_ref()).map_err(written)?;
    file.sync_all().map_err(written)?;
    std::fs::rename(&temporary, path).map_err(written)
}

/// The modulus and exponent of a DER `RSAPublicKey` (RFC 8017: a sequence of two integers),
/// without sign bytes.
fn rsa_public_numbers(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let (tag, sequence, rest) = der_element(der)?;
    if tag != 0x30 || !rest.is_empty() {
        return None;
    }
    let (tag, modulus, rest) = der_element(sequence)?;
    let (tag2, exponent, rest) = der_element(rest).filter(|_| tag == 0x02)?;
    if tag2 != 0x02 || !rest.is_empty() {
        return None;
    }
    Some((unsigned(modulus), unsigned(exponent)))
}

/// A DER integer's magnitude, without its leading zero (sign) bytes.
fn unsigned(integer: &[u8]) -> &[u8] {
    let start = integer
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(integer.len());
    &integer[start..]
}

/// One DER element: its tag, its contents and what follows.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (length, &rest[count..])
    };
    (rest.len() >= length).then(|| (tag, &rest[..length], &rest[length..]))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn short_der_is_refused_without_panicking() {
        for der in [
            &[][..],
            &[0x30],
            &[0x30, 0x82, 0x01],
            &[0x30, 0x00],
            &[0x30, 0x84, 0xff, 0xff, 0xff, 0xff],
        ] {
            assert!(rsa_public_numbers(der).is_none(), "{der:?}");
        }
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03];
        assert_eq!(rsa_public_numbers(&der), Some((&[5u8][..], &[3u8][..])));
    }

    #[test]
    fn requests_are_checked() {
        let mut request = DevTokenRequest::new("");
        assert!(check_request(&request).is_err());
        request.sub = "ann".to_owned();
        assert!(check_request(&request).is_ok());
        request.scopes = vec!["a b".to_owned()];
        assert!(check_request(&request).is_err());
        request.scopes = vec![];
        request.groups = vec!["bad\u{0}".to_owned()];
        assert!(check_request(&request).is_err());
    }
}

//! Where the trusted keys come from: a fixed set, or a JWKS URL fetched and cached.
//!
//! A fetched set is kept until a token names a key it does not have, or until it is older than
//! the maximum age; then it is fetched again, but never more often than the minimum interval,
//! so a flood of tokens with made-up key ids costs at most one fetch per interval. A failed
//! refresh keeps the keys already held.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use stack_core::clock::SharedClock;
use tokio::sync::Mutex;

use super::error::JwksError;
use super::jwks::KeySet;
use crate::outbound::{connector, is_loopback};

/// The largest JWKS document read, in bytes.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// How long one JWKS request may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The trusted keys of a verifier, fixed or fetched from a JWKS URL.
#[derive(Debug)]
pub struct KeyCache {
    source: Source,
    state: Mutex<State>,
}

#[derive(Debug)]
enum Source {
    Fixed,
    Remote {
        jwks: Box<RemoteJwks>,
        clock: SharedClock,
        min_interval: Duration,
        max_age: Duration,
    },
}

#[derive(Debug, Default)]
struct State {
    keys: Arc<KeySet>,
    fetched_at: Option<SystemTime>,
    attempted_at: Option<SystemTime>,
}

impl KeyCache {
    /// The default minimum time between two fetches.
    pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(60);

    /// The default age after which a fetched set is refreshed.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);

    /// A fixed key set, never fetched (the local issuer's keys, tests).
    pub fn fixed(keys: KeySet) -> Self {
        let state = State {
            keys: Arc::new(keys),
            ..State::default()
        };
        Self {
            source: Source::Fixed,
            state: Mutex::new(state),
        }
    }

    /// Keys fetched from `url` when first needed.
    ///
    /// `https` URLs are verified against the system's root certificates; plain `http` is only
    /// allowed to loopback hosts (the local issuer, emulators in tests).
    ///
    /// # Errors
    ///
    /// Fails when the URL is not `https` (or loopback `http`), or when the system's root
    /// certificates cannot be loaded.
    pub fn remote(url: &str, clock: SharedClock) -> Result<Self, JwksError> {
        Ok(Self {
            source: Source::Remote {
                jwks: Box::new(RemoteJwks::new(url)?),
                clock,
                min_interval: Self::DEFAULT_MIN_INTERVAL,
                max_age: Self::DEFAULT_MAX_AGE,
            },
            state: Mutex::new(State::default()),
        })
    }

    /// Sets the minimum time between two fetches (no effect on a fixed set).
    #[must_use]
    pub fn with_min_interval(mut self, interval: Duration) -> Self {
        if let Source::Remote { min_interval, .. } = &mut self.source {
            *min_interval = interval;
        }
        self
    }

    /// Sets the age after which a fetched set is refreshed (no effect on a fixed set).
    #[must_use]
    pub fn with_max_age(mut self, age: Duration) -> Self {
        if let Source::Remote { max_age, .. } = &mut self.source {
            *max_age = age;
        }
        self
    }

    /// The keys to check a token that names `kid`, fetching them first when they are missing
    /// or old and the minimum interval allows.
    ///
    /// # Errors
    ///
    /// Fails only when no keys were ever fetched and fetching fails (or may not be retried
    /// yet). Once keys are held, a failed refresh is logged and the held keys are returned.
    pub async fn keys_for(&self, kid: Option<&str>) -> Result<Arc<KeySet>, JwksError> {
        let Source::Remote {
            jwks,
            clock,
            min_interval,
            max_age,
        } = &self.source
        else {
            return Ok(self.state.lock().await.keys.clone());
        };
        let mut state = self.state.lock().await;
        let now = clock.now();
        let missing = kid.is_some_and(|kid| !state.keys.contains(kid));
        let stale = state
            .fetched_at
            .is_none_or(|at| elapsed(at, now) >= *max_age);
        let may_fetch = state
            .attempted_at
            .is_none_or(|at| elapsed(at, now) >= *min_interval);
        if (missing || stale) && may_fetch {
            state.attempted_at = Some(now);
            match jwks.fetch().await {
                Ok(keys) => {
                    tracing::debug!(
                        target: "stack_graphql::authorizer",
                        keys = keys.len(),
                        url = %jwks.url,
                        "fetched the JWKS",
                    );
                    state.keys = Arc::new(keys);
                    state.fetched_at = Some(now);
                }
                Err(error) if state.fetched_at.is_none() => return Err(error),
                Err(error) => tracing::warn!(
                    target: "stack_graphql::authorizer",
                    error = %stack_core::error::chain(&error),
                    "kept the held keys after a failed JWKS refresh",
                ),
            }
        }
        if state.fetched_at.is_none() {
            return Err(JwksError::Fetch {
                url: jwks.url.to_string(),
                reason: "the last fetch failed; retrying after the minimum interval".to_owned(),
            });
        }
        Ok(state.keys.clone())
    }
}

fn elapsed(since: SystemTime, now: SystemTime) -> Duration {
    now.duration_since(since).unwrap_or_default()
}

/// A JWKS URL and the client that fetches it.
struct RemoteJwks {
    url: http::Uri,
    client: Client<HttpsConnector<HttpConnector>, Empty<Bytes>>,
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteJwks")
            .field("url", &self.url)
            .finish()
    }
}

impl RemoteJwks {
    fn new(url: &str) -> Result<Self, JwksError> {
        let invalid = |reason| JwksError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let uri: http::Uri = url.parse().map_err(|_| invalid("not a URL"))?;
        let host = uri.host().unwrap_or_default();
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") if is_loopback(host) => false,
            Some("http") => return Err(invalid("plain http is only allowed to loopback hosts")),
            _ => return Err(invalid("not an http(s) URL")),
        };
        let connector = connector(tls)
            .map_err(|_| invalid("the system's root certificates could not be loaded"))?;
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { url: uri, client })
    }

    async fn fetch(&self) -> Result<KeySet, JwksError> {
        let failed = |reason: String| JwksError::Fetch {
            url: self.url.to_string(),
            reason,
        };
        let request = http::Request::get(self.url.clone())
            .header(http::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|e| failed(e.to_string()))?;
        let response = tokio::time::timeout(FETCH_TIMEOUT, self.client.request(request))
            .await
            .map_err(|_| failed("timed out".to_owned()))?
            .map_err(|e| failed(stack_core::error::chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(JwksError::Status {
                url: self.url.to_string(),
                status: status.as_u16(),
            });
        }
        let body = Limited::new(response.into_body(), MAX_JWKS_BYTES);
        let body = tokio::time::timeout(FETCH_TIMEOUT, body.collect())
            .await
            .map_err(|_| failed("timed out".to_owned()))?
            .map_err(|e| failed(e.to_string()))?
            .to_bytes();
        KeySet::from_json(&body)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use stack_core::clock::SystemClock;

    use super::*;

    #[test]
    fn only_https_or_loopback_http_urls_are_accepted() {
        let clock: SharedClock = Arc::new(SystemClock);
        for url in [
            "http://127.0.0.1:9/jwks.json",
            "http://localhost/jwks.json",
            "http://[::1]:80/jwks.json",
        ] {
            assert!(KeyCache::remote(url, clock.clone()).is_ok(), "{url}");
        }
        for url in [
            "http://example.com/jwks.json",
            "ftp://127.0.0.1/",
            "not a url",
        ] {
            let error = KeyCache::remote(url, clock.clone()).unwrap_err();
            assert!(matches!(error, JwksError::InvalidUrl { .. }), "{url}");
        }
    }
}

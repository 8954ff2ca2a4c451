//! The claims of a Cognito token, checked against the verifier's settings.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::Value;
use stack_core::auth::Identity;

use super::error::TokenError;
use super::jws::json_object;

/// What a Cognito token is for, from its `token_use` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenUse {
    /// An access token: carries `client_id`, `scope` and `username`.
    Access,
    /// An id token: carries `aud` (the client id), `cognito:username` and profile claims.
    Id,
}

impl TokenUse {
    /// The claim's value, `access` or `id`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Id => "id",
        }
    }
}

impl fmt::Display for TokenUse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TokenUse {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "access" => Ok(Self::Access),
            "id" => Ok(Self::Id),
            _ => Err("expected `access` or `id`".to_owned()),
        }
    }
}

/// What the claims are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expectations<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) client_ids: &'a [String],
    pub(crate) token_uses: &'a [TokenUse],
    pub(crate) leeway: Duration,
    pub(crate) now: SystemTime,
}

/// A token whose signature and claims were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedToken {
    /// The caller: `sub`, the user name, `cognito:groups` and the `scope` list.
    pub identity: Identity,
    /// Whether it is an access or an id token.
    pub token_use: TokenUse,
    /// The app client it was issued to (`client_id` or `aud`).
    pub client_id: String,
    /// When it expires (`exp`).
    pub expires_at: SystemTime,
}

/// The claims as written; each a `Value` so a wrong type is a clear refusal, and serde refuses
/// a claim given twice.
#[derive(Deserialize)]
struct RawClaims {
    sub: Option<Value>,
    iss: Option<Value>,
    token_use: Option<Value>,
    client_id: Option<Value>,
    aud: Option<Value>,
    exp: Option<Value>,
    iat: Option<Value>,
    nbf: Option<Value>,
    username: Option<Value>,
    #[serde(rename = "cognito:username")]
    cognito_username: Option<Value>,
    #[serde(rename = "cognito:groups")]
    groups: Option<Value>,
    scope: Option<Value>,
}

/// Checks a verified payload's claims and reads the caller from them.
pub(crate) fn check(
    payload: &[u8],
    expect: &Expectations<'_>,
) -> Result<VerifiedToken, TokenError> {
    let claims: RawClaims = json_object(payload).ok_or(TokenError::Malformed(
        "payload is not a JSON object of claims",
    ))?;
    let issuer = text(claims.iss.as_ref()).ok_or(TokenError::InvalidClaim("iss"))?;
    if issuer != expect.issuer {
        return Err(TokenError::WrongIssuer);
    }
    let token_use = check_token_use(claims.token_use.as_ref(), expect.token_uses)?;
    let client_id = check_client(&claims, token_use, expect.client_ids)?;
    // The same rule every service applies to the identity it receives, so an allowed caller is
    // never unauthenticated downstream.
    let subject = text(claims.sub.as_ref())
        .filter(|subject| stack_core::auth::valid_subject(subject))
        .ok_or(TokenError::InvalidClaim("sub"))?;
    let expires_at = check_times(&claims, expect)?;
    let mut identity = Identity::new(subject);
    identity.username = text(claims.username.as_ref())
        .or_else(|| text(claims.cognito_username.as_ref()))
        .map(str::to_owned);
    identity.groups =
        string_list(claims.groups.as_ref()).ok_or(TokenError::InvalidClaim("cognito:groups"))?;
    identity.scopes = match claims.scope.as_ref() {
        None => Vec::new(),
        Some(scope) => scope
            .as_str()
            .ok_or(TokenError::InvalidClaim("scope"))?
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    Ok(VerifiedToken {
        identity,
        token_use,
        client_id: client_id.to_owned(),
        expires_at,
    })
}

fn check_token_use(claim: Option<&Value>, accepted: &[TokenUse]) -> Result<TokenUse, TokenError> {
    let written = text(claim).ok_or(TokenError::InvalidClaim("token_use"))?;
    written
        .parse::<TokenUse>()
        .ok()
        .filter(|token_use| accepted.contains(token_use))
        .ok_or_else(|| TokenError::WrongTokenUse(written.chars().take(16).collect()))
}

/// Access tokens name their client in `client_id`, id tokens in `aud`; never the other way.
fn check_client<'c>(
    claims: &'c RawClaims,
    token_use: TokenUse,
    client_ids: &[String],
) -> Result<&'c str, TokenError> {
    let client = match token_use {
        TokenUse::Access => {
            text(claims.client_id.as_ref()).ok_or(TokenError::InvalidClaim("client_id"))?
        }
        TokenUse::Id => audience(claims.aud.as_ref()).ok_or(TokenError::InvalidClaim("aud"))?,
    };
    if client_ids.iter().any(|id| id == client) {
        Ok(client)
    } else {
        Err(TokenError::WrongClient)
    }
}

/// `aud` as one string, or an array holding exactly one.
fn audience(claim: Option<&Value>) -> Option<&str> {
    match claim? {
        Value::String(aud) => Some(aud),
        Value::Array(items) if items.len() == 1 => items[0].as_str(),
        _ => None,
    }
}

fn check_times(claims: &RawClaims, expect: &Expectations<'_>) -> Result<SystemTime, TokenError> {
    let now = seconds_since_epoch(expect.now);
    let leeway = expect.leeway.as_secs_f64();
    let expires = number(claims.exp.as_ref()).ok_or(TokenError::InvalidClaim("exp"))?;
    let issued = number(claims.iat.as_ref()).ok_or(TokenError::InvalidClaim("iat"))?;
    if now >= expires + leeway {
        return Err(TokenError::Expired);
    }
    if issued > now + leeway {
        return Err(TokenError::NotYetValid);
    }
    if let Some(not_before) = claims.nbf.as_ref() {
        let not_before = number(Some(not_before)).ok_or(TokenError::InvalidClaim("nbf"))?;
        if not_before > now + leeway {
            return Err(TokenError::NotYetValid);
        }
    }
    Duration::try_from_secs_f64(expires.max(0.0))
        .ok()
        .and_then(|lifetime| UNIX_EPOCH.checked_add(lifetime))
        .ok_or(TokenError::InvalidClaim("exp"))
}

fn seconds_since_epoch(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

/// A non-empty string claim.
fn text(claim: Option<&Value>) -> Option<&str> {
    claim?.as_str().filter(|s| !s.is_empty())
}

/// A NumericDate: a JSON number.
fn number(claim: Option<&Value>) -> Option<f64> {
    claim?.as_f64()
}

/// An optional array of strings (absent is empty).
fn string_list(claim: Option<&Value>) -> Option<Vec<String>> {
    let Some(claim) = claim else {
        return Some(Vec::new());
    };
    claim
        .as_array()?
        .iter()
        .map(|item| item.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn expect(token_uses: &[TokenUse]) -> Expectations<'_> {
        static CLIENTS: std::sync::LazyLock<Vec<String>> =
            std::sync::LazyLock::new(|| vec!["client".to_owned()]);
        Expectations {
            issuer: "https://issuer",
            client_ids: &CLIENTS,
            token_uses,
            leeway: Duration::from_secs(30),
            now: UNIX_EPOCH + Duration::from_secs(NOW),
        }
    }

    fn access(changes: &Value) -> Vec<u8> {
        let mut claims = json!({
            "sub": "u-1", "iss": "https://issuer", "token_use": "access", "client_id": "client",
            "exp": NOW + 60, "iat": NOW - 60, "username": "ann", "cognito:groups": ["a", "b"],
            "scope": "openid profile",
        });
        for (name, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims.to_string().into_bytes()
    }

    #[test]
    fn an_access_token_gives_the_whole_identity() {
        let token = check(&access(&json!({})), &expect(&[TokenUse::Access])).unwrap();
        assert_eq!(token.identity.subject, "u-1");
        assert_eq!(token.identity.username.as_deref(), Some("ann"));
        assert_eq!(token.identity.groups, ["a", "b"]);
        assert_eq!(token.identity.scopes, ["openid", "profile"]);
        assert_eq!(token.client_id, "client");
    }

    #[test]
    fn times_honour_the_leeway() {
        let accept = &expect(&[TokenUse::Access]);
        assert!(check(&access(&json!({ "exp": NOW - 29 })), accept).is_ok());
        assert_eq!(
            check(&access(&json!({ "exp": NOW - 30 })), accept).unwrap_err(),
            TokenError::Expired
        );
        assert!(check(&access(&json!({ "nbf": NOW + 30 })), accept).is_ok());
        assert_eq!(
            check(&access(&json!({ "nbf": NOW + 31 })), accept).unwrap_err(),
            TokenError::NotYetValid
        );
        assert_eq!(
            check(&access(&json!({ "iat": NOW + 31 })), accept).unwrap_err(),
            TokenError::NotYetValid
        );
    }

    #[test]
    fn required_claims_must_be_present_and_typed() {
        let accept = &expect(&[TokenUse::Access]);
        for (name, bad) in [
            ("exp", Value::Null),
            ("exp", json!("soon")),
            ("iat", Value::Null),
            ("iss", Value::Null),
            ("sub", Value::Null),
            ("sub", json!("")),
            ("sub", json!(" padded ")),
            ("sub", json!("x".repeat(300))),
            ("exp", json!(1e300)),
            ("exp", json!(1e19)),
            ("token_use", Value::Null),
            ("client_id", Value::Null),
            ("cognito:groups", json!("admins")),
            ("scope", json!(["a"])),
        ] {
            let error = check(&access(&json!({ name: bad })), accept).unwrap_err();
            assert!(
                matches!(error, TokenError::InvalidClaim(_)),
                "{name}: {error}"
            );
        }
    }

    #[test]
    fn id_tokens_are_checked_by_audience_not_client_id() {
        let accept = &expect(&[TokenUse::Id]);
        let id = json!({ "token_use": "id", "client_id": null, "aud": "client" });
        assert!(check(&access(&id), accept).is_ok());
        let wrong = json!({ "token_use": "id", "client_id": "client", "aud": "other" });
        assert_eq!(
            check(&access(&wrong), accept).unwrap_err(),
            TokenError::WrongClient
        );
        let listed = json!({ "token_use": "id", "aud": ["client", "other"] });
        assert!(check(&access(&listed), accept).is_err());
    }

    #[test]
    fn duplicate_claims_and_non_objects_are_refused() {
        for payload in [&br#"{"sub":"a","sub":"b"}"#[..], b"[\"u-1\"]", b"42", b""] {
            assert!(matches!(
                check(payload, &expect(&[TokenUse::Access])),
                Err(TokenError::Malformed(_))
            ));
        }
    }
}

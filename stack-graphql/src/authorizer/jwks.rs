//! JSON Web Key Sets: the trusted keys, each pinned to one algorithm.
//!
//! Only RSA signing keys are kept. A key is skipped (and the skip logged at `warn`) when it is
//! not meant for signatures (`use` other than `sig`, `key_ops` without `verify`), names an
//! algorithm other than RS256/RS384/RS512, carries private parameters, has a modulus outside
//! 2048 to 8192 bits or an even or tiny exponent, or shows the ROCA fingerprint
//! (CVE-2017-15361). Keys that share a `kid` are all dropped: which one a token meant is
//! ambiguous.

use std::collections::HashMap;

use aws_lc_rs::signature::{self, RsaParameters, RsaPublicKeyComponents};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;

use super::error::JwksError;

/// A signature algorithm a key can be pinned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (what Cognito uses).
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
}

impl Algorithm {
    /// The JOSE name, such as `RS256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "RS384" => Some(Self::Rs384),
            "RS512" => Some(Self::Rs512),
            _ => None,
        }
    }

    fn parameters(self) -> &'static RsaParameters {
        match self {
            Self::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Self::Rs384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::Rs512 => &signature::RSA_PKCS1_2048_8192_SHA512,
        }
    }
}

/// One trusted public key.
#[derive(Clone, PartialEq, Eq)]
struct TrustedKey {
    kid: String,
    algorithm: Algorithm,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl std::fmt::Debug for TrustedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustedKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("bits", &modulus_bits(&self.modulus))
            .finish()
    }
}

/// The keys a verifier trusts, by key id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: HashMap<String, TrustedKey>,
}

impl KeySet {
    /// Reads a JWKS document (`{"keys": [...]}`), keeping the usable RSA signing keys.
    ///
    /// # Errors
    ///
    /// Fails when the document is not JSON or has no `keys` array. Unusable keys are skipped,
    /// not errors, so one odd key does not take the others down.
    pub fn from_json(document: &[u8]) -> Result<Self, JwksError> {
        let raw: RawKeySet = super::jws::json_object(document).ok_or_else(|| {
            JwksError::Invalid("expected an object with a `keys` array".to_owned())
        })?;
        let mut keys: HashMap<String, TrustedKey> = HashMap::new();
        let mut ambiguous = Vec::new();
        for jwk in raw.keys {
            let kid = jwk.get("kid").and_then(Value::as_str).map(str::to_owned);
            let parsed = match jwk {
                Value::Object(_) => {
                    serde_json::from_value::<RawJwk>(jwk).map_err(|_| "malformed members")
                }
                _ => Err("not a JSON object"),
            };
            match parsed.and_then(RawJwk::into_key) {
                Ok(key) if keys.contains_key(&key.kid) => ambiguous.push(key.kid),
                Ok(key) => {
                    keys.insert(key.kid.clone(), key);
                }
                Err(reason) => tracing::warn!(
                    target: "stack_graphql::authorizer",
                    kid = kid.as_deref().unwrap_or("-"),
                    reason,
                    "skipped a key of the JWKS",
                ),
            }
        }
        for kid in ambiguous {
            tracing::warn!(target: "stack_graphql::authorizer", %kid, "dropped keys sharing a kid");
            keys.remove(&kid);
        }
        Ok(Self { keys })
    }

    /// How many keys are trusted.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is trusted.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Whether a key with this id is trusted.
    pub fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    /// The algorithm the key `kid` is pinned to, if the key is trusted.
    pub fn algorithm_of(&self, kid: &str) -> Option<Algorithm> {
        self.keys.get(kid).map(|key| key.algorithm)
    }

    /// Checks `signature` over `message` with key `kid`, using the key's algorithm only.
    pub(crate) fn check(
        &self,
        kid: &str,
        message: &[u8],
        signature: &[u8],
    ) -> Option<Result<(), ()>> {
        let key = self.keys.get(kid)?;
        let components = RsaPublicKeyComponents {
            n: key.modulus.as_slice(),
            e: key.exponent.as_slice(),
        };
        let verdict = components.verify(key.algorithm.parameters(), message, signature);
        Some(verdict.map_err(|_| ()))
    }
}

#[derive(Deserialize)]
struct RawKeySet {
    keys: Vec<Value>,
}

/// A JWK as written, every member optional so each key is judged on its own; members are
/// `Value`s so a wrong type skips the key with a reason.
#[derive(Deserialize)]
struct RawJwk {
    kty: Option<Value>,
    kid: Option<Value>,
    alg: Option<Value>,
    #[serde(rename = "use")]
    usage: Option<Value>,
    key_ops: Option<Value>,
    n: Option<Value>,
    e: Option<Value>,
    d: Option<Value>,
    p: Option<Value>,
    q: Option<Value>,
    k: Option<Value>,
}

impl RawJwk {
    fn into_key(self) -> Result<TrustedKey, &'static str> {
        if self.kty.as_ref().and_then(Value::as_str) != Some("RSA") {
            return Err("not an RSA key");
        }
        let kid = match self.kid.as_ref().and_then(Value::as_str) {
            Some(kid) if !kid.is_empty() => kid.to_owned(),
            _ => return Err("no kid"),
        };
        self.check_purpose()?;
        let algorithm = match &self.alg {
            None => Algorithm::Rs256,
            Some(alg) => alg
                .as_str()
                .and_then(Algorithm::from_name)
                .ok_or("an algorithm other than RS256, RS384 or RS512")?,
        };
        if self.d.is_some() || self.p.is_some() || self.q.is_some() || self.k.is_some() {
            return Err("private key material in a public key set");
        }
        let modulus = integer(self.n.as_ref()).ok_or("no valid modulus")?;
        let exponent = integer(self.e.as_ref()).ok_or("no valid exponent")?;
        check_rsa_numbers(&modulus, &exponent)?;
        Ok(TrustedKey {
            kid,
            algorithm,
            modulus,
            exponent,
        })
    }

    /// `use` must be absent or `sig`; `key_ops`, when present, must allow `verify`.
    fn check_purpose(&self) -> Result<(), &'static str> {
        if let Some(usage) = &self.usage
            && usage.as_str() != Some("sig")
        {
            return Err("not a signing key (use)");
        }
        if let Some(ops) = &self.key_ops {
            let verifies = ops
                .as_array()
                .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
            if !verifies {
                return Err("not a verification key (key_ops)");
            }
        }
        Ok(())
    }
}

/// A base64url big-endian integer, without leading zero bytes.
fn integer(value: Option<&Value>) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(value?.as_str()?).ok()?;
    let start = bytes.iter().position(|&b| b != 0)?;
    Some(bytes[start..].to_vec())
}

fn modulus_bits(modulus: &[u8]) -> usize {
    modulus.first().map_or(0, |first| {
        modulus.len() * 8 - first.leading_zeros() as usize
    })
}

fn check_rsa_numbers(modulus: &[u8], exponent: &[u8]) -> Result<(), &'static str> {
    if !(2048..=8192).contains(&modulus_bits(modulus)) {
        return Err("a modulus outside 2048 to 8192 bits");
    }
    let exponent_value = (exponent.len() <= 4).then(|| {
        exponent
            .iter()
            .fold(0u64, |acc, &byte| (acc << 8) | u64::from(byte))
    });
    match exponent_value {
        Some(e) if e >= 3 && e % 2 == 1 => {}
        _ => return Err("an exponent that is even, below 3 or above 32 bits"),
    }
    if has_roca_fingerprint(modulus) {
        return Err("a modulus with the ROCA fingerprint (CVE-2017-15361)");
    }
    Ok(())
}

/// The odd primes up to 353. Keys made by the ROCA-affected generator have moduli that, modulo
/// each of these primes, are powers of 65537; for other moduli the chance is about 2^-83.
const ROCA_PRIMES: [u32; 70] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307,
    311, 313, 317, 331, 337, 347, 349, 353,
];

fn has_roca_fingerprint(modulus: &[u8]) -> bool {
    ROCA_PRIMES.iter().all(|&prime| {
        let residue = modulus
            .iter()
            .fold(0u32, |acc, &byte| (acc * 256 + u32::from(byte)) % prime);
        is_power_of_65537(residue, prime)
    })
}

/// Whether `residue` is in the subgroup that 65537 generates modulo `prime`.
fn is_power_of_65537(residue: u32, prime: u32) -> bool {
    let generator = 65537 % prime;
    let mut power = 1;
    loop {
        if power == residue {
            return true;
        }
        power = power * generator % prime;
        if power == 1 {
            return false;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    const MODULUS: &str = concat!(
        "qLOVYz0dfW9WwECpB32bW2-za9iffasb4OxHsx3rwLUR6SmqKRB8zPbVxP0i3V3UiG91gMd3ceAulfbj",
        "WRiUATjHzOi8MJ1RApLltGzYY3i6gEuVglwYoCPVHcNNTZGXg-lQm4SfrVUcohDZ0xCgHsxmnjQKVLwT",
        "Mz2d48H5I3G7u67KMa3Yp9_xnGgRmy4EIQN6AclJ5Wfgb5YaJLam80XI94fSiT8Xj5TaaeYRS8R682yN",
        "QHB8b_M7mq3mP-rZGJgx6YqZhr1w3ffsOJUOqxgxTFfXcYsHfOL49DUfOuWpuIqTtPXYL-WQ0ievPXls",
        "CThZ9q7LbuZNwt65XVaRsQ",
    );

    fn one_key(extra: Value) -> KeySet {
        let mut jwk = serde_json::json!({ "kty": "RSA", "kid": "k", "n": MODULUS, "e": "AQAB" });
        if let (Some(jwk), Value::Object(extra)) = (jwk.as_object_mut(), extra) {
            jwk.extend(extra);
        }
        let document = serde_json::json!({ "keys": [jwk] }).to_string();
        KeySet::from_json(document.as_bytes()).unwrap()
    }

    #[test]
    fn rsa_keys_without_alg_are_pinned_to_rs256() {
        let keys = one_key(serde_json::json!({}));
        assert_eq!(keys.algorithm_of("k"), Some(Algorithm::Rs256));
    }

    #[test]
    fn keys_not_meant_for_verification_are_skipped() {
        for extra in [
            serde_json::json!({ "use": "enc" }),
            serde_json::json!({ "key_ops": ["encrypt"] }),
            serde_json::json!({ "alg": "HS256" }),
            serde_json::json!({ "alg": "PS256" }),
            serde_json::json!({ "d": "AQAB" }),
            serde_json::json!({ "e": "AQ" }),
            serde_json::json!({ "e": "Ag" }),
            serde_json::json!({ "kid": "" }),
        ] {
            assert!(one_key(extra.clone()).is_empty(), "{extra}");
        }
    }

    #[test]
    fn shared_kids_drop_every_key_with_that_kid() {
        let jwk = serde_json::json!({ "kty": "RSA", "kid": "k", "n": MODULUS, "e": "AQAB" });
        let document = serde_json::json!({ "keys": [jwk, jwk] }).to_string();
        assert!(KeySet::from_json(document.as_bytes()).unwrap().is_empty());
    }

    #[test]
    fn documents_without_keys_are_errors() {
        for document in ["", "[]", "{}", "{\"keys\": {}}"] {
            assert!(
                KeySet::from_json(document.as_bytes()).is_err(),
                "{document}"
            );
        }
    }

    #[test]
    fn an_ordinary_modulus_has_no_roca_fingerprint() {
        let modulus = integer(Some(&Value::String(MODULUS.into()))).unwrap();
        assert!(!has_roca_fingerprint(&modulus));
        assert_eq!(modulus_bits(&modulus), 2048);
    }
}

//! Persisted operations: a safelist known at build time and automatic persisted queries.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::options::RouterOptions;

/// Why a persisted-operation request cannot run, as a message and an `extensions.code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) message: &'static str,
    pub(crate) code: &'static str,
}

/// The lower-case hex SHA-256 of `text`.
pub(crate) fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The most bytes of query text kept for automatic persisted queries, whatever their number.
const MAX_REGISTERED_BYTES: usize = 8 * 1024 * 1024;

/// Queries clients registered with automatic persisted queries, bounded in number and in
/// bytes. Only documents within the size limit are kept.
#[derive(Debug, Default)]
pub(crate) struct Registered {
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    queries: HashMap<String, String>,
    bytes: usize,
}

impl Registered {
    /// Fills in or checks the query of a request, and applies the safelist.
    pub(crate) fn resolve(
        &self,
        options: &RouterOptions,
        query: &mut String,
        extensions: &serde_json::Map<String, Value>,
    ) -> Result<(), Refused> {
        let hash = requested_hash(extensions);
        match (query.is_empty(), hash) {
            (true, Some(hash)) => *query = self.lookup(options, hash)?,
            (false, Some(hash)) => self.register(options, query, hash)?,
            _ => {}
        }
        if options.safelist_only && !options.persisted.contains_key(&sha256_hex(query)) {
            return Err(Refused {
                message: "only persisted operations may run here",
                code: "PERSISTED_QUERY_NOT_ALLOWED",
            });
        }
        Ok(())
    }

    fn lookup(&self, options: &RouterOptions, hash: &str) -> Result<String, Refused> {
        if let Some(query) = options.persisted.get(hash) {
            return Ok(query.clone());
        }
        if !options.automatic_persisted_queries {
            return Err(Refused {
                message: "PersistedQueryNotSupported",
                code: "PERSISTED_QUERY_NOT_SUPPORTED",
            });
        }
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let found = cache.queries.get(hash).or_else(|| {
            let lower = hash.to_ascii_lowercase();
            cache.queries.get(&lower)
        });
        found.cloned().ok_or(Refused {
            message: "PersistedQueryNotFound",
            code: "PERSISTED_QUERY_NOT_FOUND",
        })
    }

    fn register(&self, options: &RouterOptions, query: &str, hash: &str) -> Result<(), Refused> {
        if sha256_hex(query) != hash.to_ascii_lowercase() {
            return Err(Refused {
                message: "provided sha256Hash does not match the query",
                code: "PERSISTED_QUERY_HASH_MISMATCH",
            });
        }
        // A document over the size limit is refused after this step; it is never kept.
        let keep = options.automatic_persisted_queries
            && !options.safelist_only
            && query.len() <= options.limits.document_bytes;
        if keep {
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            let full = cache.queries.len() >= options.apq_cache_size
                || cache.bytes + query.len() > MAX_REGISTERED_BYTES;
            if full {
                // Forgetting everything is crude but bounded; clients simply register again.
                cache.queries.clear();
                cache.bytes = 0;
            }
            let previous = cache
                .queries
                .insert(hash.to_ascii_lowercase(), query.to_owned());
            cache.bytes += query.len() - previous.map_or(0, |p| p.len());
        }
        Ok(())
    }
}

fn requested_hash(extensions: &serde_json::Map<String, Value>) -> Option<&str> {
    extensions
        .get("persistedQuery")?
        .get("sha256Hash")?
        .as_str()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    fn extensions(hash: &str) -> serde_json::Map<String, Value> {
        let value = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_registered_query_is_found_by_its_hash() {
        let options = RouterOptions::default();
        let registered = Registered::default();
        let hash = sha256_hex("{ a }");
        let mut unknown = String::new();
        let missing = registered.resolve(&options, &mut unknown, &extensions(&hash));
        assert_eq!(missing.unwrap_err().code, "PERSISTED_QUERY_NOT_FOUND");
        let mut query = "{ a }".to_owned();
        registered
            .resolve(&options, &mut query, &extensions(&hash))
            .unwrap();
        let mut later = String::new();
        registered
            .resolve(&options, &mut later, &extensions(&hash))
            .unwrap();
        assert_eq!(later, "{ a }");
    }

    #[test]
    fn hashes_are_found_in_any_case_and_oversize_documents_are_not_kept() {
        let options = RouterOptions::default();
        let registered = Registered::default();
        let hash = sha256_hex("{ a }").to_ascii_uppercase();
        let mut query = "{ a }".to_owned();
        registered
            .resolve(&options, &mut query, &extensions(&hash))
            .unwrap();
        let mut later = String::new();
        registered
            .resolve(&options, &mut later, &extensions(&hash))
            .unwrap();
        assert_eq!(later, "{ a }");

        let huge = format!("{{ a }} #{}", "x".repeat(options.limits.document_bytes));
        let huge_hash = sha256_hex(&huge);
        let mut sent = huge.clone();
        registered
            .resolve(&options, &mut sent, &extensions(&huge_hash))
            .unwrap();
        let mut again = String::new();
        let missing = registered.resolve(&options, &mut again, &extensions(&huge_hash));
        assert_eq!(missing.unwrap_err().code, "PERSISTED_QUERY_NOT_FOUND");
    }

    #[test]
    fn a_hash_that_does_not_match_is_refused() {
        let registered = Registered::default();
        let mut query = "{ a }".to_owned();
        let refused = registered.resolve(&RouterOptions::default(), &mut query, &extensions("00"));
        assert_eq!(refused.unwrap_err().code, "PERSISTED_QUERY_HASH_MISMATCH");
    }

    #[test]
    fn the_safelist_refuses_other_queries() {
        let mut options = RouterOptions::default().persist("{ a }");
        options.safelist_only = true;
        let registered = Registered::default();
        let mut allowed = "{ a }".to_owned();
        assert!(
            registered
                .resolve(&options, &mut allowed, &Default::default())
                .is_ok()
        );
        let mut other = "{ b }".to_owned();
        assert!(
            registered
                .resolve(&options, &mut other, &Default::default())
                .is_err()
        );
    }
}

//! Content negotiation: which media type the client reads, from its `Accept` header.
//!
//! Candidates are `application/graphql-response+json`, `application/json` and, for the query
//! page, `text/html`. Each is scored by the most specific media range that matches it (RFC 9110
//! section 12.5.1); the highest quality wins. When the two JSON types tie, a client that names
//! `application/graphql-response+json` explicitly gets it, and a wildcard gets
//! `application/json`, as the GraphQL-over-HTTP specification asks for legacy clients.

use http::HeaderMap;
use http::header::ACCEPT;

/// The media types a GraphQL response can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MediaType {
    /// `application/graphql-response+json`: status codes follow the outcome.
    GraphQlResponse,
    /// `application/json`: well-formed requests always get 200.
    Json,
}

impl MediaType {
    /// The `content-type` header value, always with its charset.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::GraphQlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// What the client can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Negotiation {
    /// The GraphQL media type to answer in, or `None` when the client accepts neither.
    pub(crate) graphql: Option<MediaType>,
    /// Whether the client prefers an HTML page over JSON (a browser navigating to the URL).
    pub(crate) prefers_page: bool,
}

/// Reads the `Accept` header; a missing, empty or unreadable header means `application/json`.
pub(crate) fn negotiate(headers: &HeaderMap) -> Negotiation {
    let ranges: Vec<Range<'_>> = headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(Range::parse)
        .collect();
    if ranges.is_empty() {
        return Negotiation {
            graphql: Some(MediaType::Json),
            prefers_page: false,
        };
    }
    let graphql_response = score(&ranges, "application", "graphql-response+json");
    let json = score(&ranges, "application", "json");
    let html = score(&ranges, "text", "html");
    let graphql = choose(graphql_response, json);
    let best_json = graphql_response.max(json);
    Negotiation {
        graphql,
        prefers_page: html.is_some() && html > best_json,
    }
}

/// Picks between the two JSON media types from their scores.
fn choose(graphql_response: Option<Score>, json: Option<Score>) -> Option<MediaType> {
    match (graphql_response, json) {
        (None, None) => None,
        (Some(_), None) => Some(MediaType::GraphQlResponse),
        (None, Some(_)) => Some(MediaType::Json),
        (Some(a), Some(b)) if a > b => Some(MediaType::GraphQlResponse),
        (Some(a), Some(b)) if a < b => Some(MediaType::Json),
        (Some(a), Some(_)) if a.specificity == Specificity::Exact => {
            Some(MediaType::GraphQlResponse)
        }
        (Some(_), Some(_)) => Some(MediaType::Json),
    }
}

/// How precisely a media range names a media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Specificity {
    /// `*/*`
    Any,
    /// `type/*`
    Type,
    /// `type/subtype`
    Exact,
}

/// How acceptable a media type is: quality first (in thousandths), then specificity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    quality: u16,
    specificity: Specificity,
}

/// One media range of an `Accept` header.
#[derive(Debug)]
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: u16,
}

impl<'a> Range<'a> {
    /// Parses `type/subtype;param=value;q=0.5`; ranges that cannot be read are skipped.
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let mut quality = 1000;
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                quality = parse_quality(value.trim())?;
            }
        }
        Some(Self {
            kind: kind.trim(),
            subtype: subtype.trim(),
            quality,
        })
    }

    fn specificity_for(&self, kind: &str, subtype: &str) -> Option<Specificity> {
        match (self.kind, self.subtype) {
            ("*", "*") => Some(Specificity::Any),
            (k, "*") if k.eq_ignore_ascii_case(kind) => Some(Specificity::Type),
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => {
                Some(Specificity::Exact)
            }
            _ => None,
        }
    }
}

/// A quality value (`0` to `1`, at most three decimals) in thousandths.
fn parse_quality(text: &str) -> Option<u16> {
    let value: f32 = text.parse().ok()?;
    // The range check also rejects NaN, so the cast below cannot misbehave.
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

/// The score of a media type under the most specific matching range; `None` if not acceptable.
fn score(ranges: &[Range<'_>], kind: &str, subtype: &str) -> Option<Score> {
    let (specificity, quality) = ranges
        .iter()
        .filter_map(|range| Some((range.specificity_for(kind, subtype)?, range.quality)))
        .max_by_key(|(specificity, _)| *specificity)?;
    (quality > 0).then_some(Score {
        quality,
        specificity,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Negotiation {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            http::HeaderValue::from_str(value).unwrap_or(http::HeaderValue::from_static("")),
        );
        negotiate(&headers)
    }

    fn media(value: &str) -> Option<MediaType> {
        accept(value).graphql
    }

    #[test]
    fn a_missing_header_means_json() {
        assert_eq!(negotiate(&HeaderMap::new()).graphql, Some(MediaType::Json));
        assert_eq!(media(""), Some(MediaType::Json));
    }

    #[test]
    fn wildcards_mean_json() {
        assert_eq!(media("*/*"), Some(MediaType::Json));
        assert_eq!(media("application/*"), Some(MediaType::Json));
    }

    #[test]
    fn an_explicit_graphql_response_type_wins_ties() {
        let both = "application/graphql-response+json, application/json";
        assert_eq!(media(both), Some(MediaType::GraphQlResponse));
        assert_eq!(
            media("application/graphql-response+json"),
            Some(MediaType::GraphQlResponse)
        );
    }

    #[test]
    fn quality_values_decide() {
        let prefer_json = "application/graphql-response+json;q=0.5, application/json";
        assert_eq!(media(prefer_json), Some(MediaType::Json));
        let prefer_new = "application/graphql-response+json, application/json;q=0.9";
        assert_eq!(media(prefer_new), Some(MediaType::GraphQlResponse));
    }

    #[test]
    fn the_most_specific_range_sets_the_quality() {
        assert_eq!(
            media("application/json;q=0, */*"),
            Some(MediaType::GraphQlResponse)
        );
        assert_eq!(
            media("application/json;q=0, application/graphql-response+json;q=0"),
            None
        );
    }

    #[test]
    fn parameters_and_case_are_tolerated() {
        assert_eq!(
            media("Application/JSON; charset=utf-8"),
            Some(MediaType::Json)
        );
    }

    #[test]
    fn other_types_are_not_acceptable() {
        assert_eq!(media("text/plain"), None);
        assert_eq!(media("image/png, text/*"), None);
    }

    #[test]
    fn unreadable_ranges_are_skipped() {
        assert_eq!(media("application/json;q=2, text/plain"), None);
        assert_eq!(media("garbage"), Some(MediaType::Json));
    }

    #[test]
    fn browsers_prefer_the_page() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(accept(browser).prefers_page);
        assert_eq!(accept(browser).graphql, Some(MediaType::Json));
        assert!(!accept("*/*").prefers_page);
        assert!(!accept("text/html, application/json").prefers_page);
    }
}

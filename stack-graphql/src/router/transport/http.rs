//! Subgraphs reached over HTTP(S).

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderValue, StatusCode, Uri};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use stack_core::auth::LOCAL_USER_HEADER;

use super::{SubgraphRequest, Transport, TransportFuture};
use crate::outbound::{connector, is_loopback};
use crate::router::error::{RouterError, TransportError};

/// The media types the router accepts from subgraphs, preferred first.
pub(crate) const ACCEPT_GRAPHQL: &str = "application/graphql-response+json, application/json";

/// The largest subgraph response read, in bytes.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A transport that POSTs to a subgraph URL over HTTP/1.1, with TLS for `https` URLs.
///
/// Plain `http` is accepted only for loopback hosts; TLS trusts the system's root
/// certificates. Connections are kept alive and reused.
#[derive(Clone)]
pub struct HttpTransport {
    url: Uri,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .finish()
    }
}

impl HttpTransport {
    /// A transport to `url`.
    ///
    /// # Errors
    ///
    /// [`RouterError::InvalidUrl`] when `url` is not an `https` URL, or an `http` URL to a
    /// loopback host, or when the system's root certificates cannot be loaded.
    pub fn new(url: &str) -> Result<Self, RouterError> {
        let invalid = |reason| RouterError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let uri: Uri = url.parse().map_err(|_| invalid("not a URL"))?;
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") if is_loopback(uri.host().unwrap_or_default()) => false,
            Some("http") => return Err(invalid("plain http is only allowed to loopback hosts")),
            _ => return Err(invalid("not an http(s) URL")),
        };
        let connector = connector(tls).map_err(|_| invalid("root certificates did not load"))?;
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { url: uri, client })
    }
}

impl Transport for HttpTransport {
    fn send(&self, request: SubgraphRequest) -> TransportFuture {
        let client = self.client.clone();
        let http_request = build(&self.url, request.clone());
        Box::pin(async move {
            let failed = |reason: String| TransportError::Failed {
                service: request.service.clone(),
                reason,
            };
            let http_request = http_request.map_err(|e| failed(e.to_string()))?;
            let response = client
                .request(http_request)
                .await
                .map_err(|e| failed(stack_core::error::chain(&e)))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| failed(e.to_string()))?
                .to_bytes();
            accept_answer(&request.service, status, body)
        })
    }
}

fn build(url: &Uri, request: SubgraphRequest) -> http::Result<http::Request<Full<Bytes>>> {
    let mut http_request = http::Request::post(url.clone()).body(Full::new(request.body))?;
    *http_request.headers_mut() = request.headers;
    let headers = http_request.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_GRAPHQL));
    if let Some(identity) = &request.identity
        && let Ok(value) = HeaderValue::from_str(&identity.subject)
    {
        headers.insert(LOCAL_USER_HEADER, value);
    }
    Ok(http_request)
}

/// Keeps an answer that can be a GraphQL response: any 2xx, or an error status with a JSON
/// body (GraphQL-over-HTTP answers refused requests with 4xx and a GraphQL body).
pub(crate) fn accept_answer(
    service: &str,
    status: StatusCode,
    body: Bytes,
) -> Result<Bytes, TransportError> {
    let json_body = body.first().is_some_and(|byte| *byte == b'{');
    if status.is_success() || json_body {
        return Ok(body);
    }
    Err(TransportError::Status {
        service: service.to_owned(),
        status: status.as_u16(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_urls_are_accepted() {
        assert!(HttpTransport::new("http://127.0.0.1:4000/graphql").is_ok());
        assert!(HttpTransport::new("http://localhost/graphql").is_ok());
        assert!(HttpTransport::new("http://example.com/graphql").is_err());
        assert!(HttpTransport::new("ftp://127.0.0.1/graphql").is_err());
    }

    #[test]
    fn error_statuses_without_a_graphql_body_are_failures() {
        let bad = accept_answer("a", StatusCode::BAD_GATEWAY, Bytes::from_static(b"<html>"));
        assert!(matches!(
            bad,
            Err(TransportError::Status { status: 502, .. })
        ));
        let refused = accept_answer("a", StatusCode::BAD_REQUEST, Bytes::from_static(b"{}"));
        assert!(refused.is_ok());
    }
}

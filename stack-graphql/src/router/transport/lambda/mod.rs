//! Subgraph Lambdas reached by direct Invoke, as if API Gateway had called them.
//!
//! The Invoke call is made here, without an SDK client: one signed
//! `POST /2015-03-31/functions/{name}/invocations` over the crate's outbound HTTP connector.

mod settings;
mod sign;

use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderMap, HeaderValue, StatusCode};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use stack_core::auth::Identity;

use self::settings::Endpoint;
pub use self::settings::{AwsCredentials, LambdaSettings};
use super::{SubgraphRequest, Transport, TransportFuture};
use crate::outbound::connector;
use crate::router::error::{RouterError, TransportError};

/// The largest response read from Invoke: Lambda's limit on a synchronous payload, 6 MB.
const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

/// The longest service error message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 512;

/// Characters left as they are in the function's path segment: RFC 3986's unreserved set.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The header Lambda sets when the function itself failed.
const FUNCTION_ERROR: &str = "x-amz-function-error";

/// The trace header, which Lambda continues in the function it invokes.
const TRACE_HEADER: &str = "x-amzn-trace-id";

/// A transport that invokes a subgraph's Lambda function directly.
///
/// Each request becomes an API Gateway HTTP API (payload format 2.0) event: a POST to
/// `/graphql` with the JSON body and the propagated headers. The caller's identity goes in
/// `requestContext.authorizer.lambda` (`sub`, `username`, `groups`, `scopes`), where the
/// subgraph's Lambda edge reads it exactly as it reads the authorizer's context behind API
/// Gateway. Only principals allowed to invoke the function (the router's IAM role) can set it,
/// which is what makes it trustworthy: the function needs no public URL.
///
/// The event is sent with the Invoke API (`RequestResponse`), signed with SigV4 as the
/// credentials of [`LambdaSettings`]; the trace header, when the request has one, is sent
/// along so that the function continues the trace.
///
/// # Errors at run time
///
/// - The function failed (Lambda's `x-amz-function-error`): [`TransportError::Failed`].
/// - Lambda refused the call (no such function, no permission, throttled, its own
///   failure): [`TransportError::Invoke`] with the status, the error type and the message.
///   Nothing is retried.
/// - A payload over 6 MB, or one that is not an HTTP API response: [`TransportError::Failed`].
///
/// # Limitations
///
/// Credentials are static: read once from the environment (what Lambda, an ECS task's
/// environment or a CI job provides) or given in code. Profile files, web identity tokens,
/// the ECS credentials endpoint and instance metadata are not consulted, and expiring
/// credentials are not refreshed; in Lambda the role's credentials outlive the execution
/// environment, so none of that is needed there.
///
/// # Examples
///
/// ```no_run
/// use stack_graphql::router::{LambdaTransport, Router, RouterError};
///
/// # fn build(supergraph: &str) -> Result<Router, RouterError> {
/// let todo = LambdaTransport::from_env("todo-subgraph")?;
/// let media = todo.for_function("arn:aws:lambda:eu-west-1:123456789012:function:media:live")?;
/// Router::builder(supergraph)
///     .subgraph("todo", todo)
///     .subgraph("media", media)
///     .build()
/// # }
/// ```
#[derive(Clone)]
pub struct LambdaTransport {
    invoker: Arc<Invoker>,
    function: String,
}

/// What transports to the functions of one account and region share.
struct Invoker {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    endpoint: Endpoint,
    settings: LambdaSettings,
    credentials: aws_credential_types::Credentials,
}

impl std::fmt::Debug for LambdaTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaTransport")
            .field("function", &self.function)
            .field("endpoint", &self.invoker.endpoint.base)
            .field("region", &self.invoker.settings.region)
            .finish_non_exhaustive()
    }
}

impl LambdaTransport {
    /// Invokes `function` (a name, an ARN or an alias ARN) as configured by `settings`.
    ///
    /// # Errors
    ///
    /// [`RouterError::LambdaSetting`] for a malformed function name, region or credentials,
    /// [`RouterError::InvalidUrl`] for an endpoint that is not `https` (or `http` to a
    /// loopback host), or when the system's root certificates cannot be loaded.
    pub fn new(
        settings: &LambdaSettings,
        function: impl Into<String>,
    ) -> Result<Self, RouterError> {
        let endpoint = settings.validate()?;
        let tls_failed = |_| RouterError::InvalidUrl {
            url: endpoint.base.clone(),
            reason: "root certificates did not load",
        };
        let connector = connector(endpoint.tls).map_err(tls_failed)?;
        let invoker = Invoker {
            client: Client::builder(TokioExecutor::new()).build(connector),
            credentials: settings.credentials.to_signing(),
            settings: settings.clone(),
            endpoint,
        };
        Self::with_invoker(Arc::new(invoker), function.into())
    }

    /// Invokes `function` with the settings of the environment (see
    /// [`LambdaSettings::from_env`]).
    ///
    /// # Errors
    ///
    /// As [`LambdaSettings::from_env`] and [`new`](Self::new).
    pub fn from_env(function: impl Into<String>) -> Result<Self, RouterError> {
        Self::new(&LambdaSettings::from_env()?, function)
    }

    /// A transport to another function with the same settings and connection pool.
    ///
    /// # Errors
    ///
    /// [`RouterError::LambdaSetting`] for a malformed function name.
    pub fn for_function(&self, function: impl Into<String>) -> Result<Self, RouterError> {
        Self::with_invoker(Arc::clone(&self.invoker), function.into())
    }

    /// The function this transport invokes, as given.
    pub fn function(&self) -> &str {
        &self.function
    }

    fn with_invoker(invoker: Arc<Invoker>, function: String) -> Result<Self, RouterError> {
        check_function(&function).map_err(|reason| RouterError::LambdaSetting {
            setting: "function",
            reason,
        })?;
        Ok(Self { invoker, function })
    }
}

impl Transport for LambdaTransport {
    fn send(&self, request: SubgraphRequest) -> TransportFuture {
        let invoker = Arc::clone(&self.invoker);
        let function = self.function.clone();
        Box::pin(async move {
            let failed = |reason: String| TransportError::Failed {
                service: request.service.clone(),
                reason,
            };
            let payload = Bytes::from(event(&request).to_string());
            let trace = request.headers.get(TRACE_HEADER);
            let call = invoker.request(&function, payload, trace).map_err(failed)?;
            let response = invoker
                .client
                .request(call)
                .await
                .map_err(|e| failed(stack_core::error::chain(&e)))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_PAYLOAD_BYTES)
                .collect()
                .await
                .map_err(|e| failed(read_failure(e.as_ref())))?
                .to_bytes();
            answer(&request.service, parts.status, &parts.headers, &body)
        })
    }
}

impl Invoker {
    /// The signed Invoke call that sends `payload` to `function`.
    fn request(
        &self,
        function: &str,
        payload: Bytes,
        trace: Option<&HeaderValue>,
    ) -> Result<http::Request<Full<Bytes>>, String> {
        let time = self.settings.clock.now();
        let mut request = invoke_request(&self.endpoint, function, payload, trace)
            .map_err(|e| format!("cannot build the Invoke call: {e}"))?;
        sign::sign_request(&mut request, &self.credentials, &self.settings.region, time)?;
        Ok(request.map(Full::new))
    }
}

/// The unsigned Invoke call: `RequestResponse`, so the function's answer comes back.
fn invoke_request(
    endpoint: &Endpoint,
    function: &str,
    payload: Bytes,
    trace: Option<&HeaderValue>,
) -> http::Result<http::Request<Bytes>> {
    let name = utf8_percent_encode(function, SEGMENT);
    let uri = format!("{}/2015-03-31/functions/{name}/invocations", endpoint.base);
    let mut request = http::Request::post(uri)
        .header(HOST, endpoint.host.clone())
        .header(CONTENT_TYPE, "application/json")
        .header("x-amz-invocation-type", "RequestResponse")
        .body(payload)?;
    if let Some(trace) = trace {
        request.headers_mut().insert(TRACE_HEADER, trace.clone());
    }
    Ok(request)
}

/// A function name, ARN or alias ARN as the Invoke API takes it: letters, digits and
/// `-_.:$`, at most 256 characters, and not a dot segment that would change the path.
fn check_function(function: &str) -> Result<(), &'static str> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.:$".contains(c);
    if function.is_empty() || function.len() > 256 {
        return Err("must be 1 to 256 characters long");
    }
    if !function.chars().all(allowed) || function == "." || function == ".." {
        return Err("is not a function name, ARN or alias ARN");
    }
    Ok(())
}

/// Why an Invoke response could not be read, without the details of the connection.
fn read_failure(error: &(dyn std::error::Error + 'static)) -> String {
    if error.is::<http_body_util::LengthLimitError>() {
        format!(
            "the function's response is larger than Lambda's limit of {MAX_PAYLOAD_BYTES} bytes"
        )
    } else {
        format!(
            "reading the Invoke response failed: {}",
            stack_core::error::chain(error)
        )
    }
}

/// Reads the answer to an Invoke call.
fn answer(
    service: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Bytes, TransportError> {
    let failed = |reason: String| TransportError::Failed {
        service: service.to_owned(),
        reason,
    };
    if !status.is_success() {
        return Err(service_error(service, status, headers, body));
    }
    if let Some(kind) = headers.get(FUNCTION_ERROR) {
        let kind = String::from_utf8_lossy(kind.as_bytes()).into_owned();
        return Err(failed(function_failure(&kind, body)));
    }
    let (status, body) = read_response(body).map_err(failed)?;
    super::http::accept_answer(service, status, body)
}

/// The reason for a function that failed: Lambda's kind (`Unhandled`, `Handled`) and the
/// error type the runtime reported. The message stays out: it is the function's own, and may
/// say more than a client should see.
fn function_failure(kind: &str, payload: &[u8]) -> String {
    let error_type = serde_json::from_slice::<Value>(payload)
        .ok()
        .and_then(|error| Some(error.get("errorType")?.as_str()?.to_owned()))
        .map(|error_type| error_type.chars().take(128).collect::<String>());
    match error_type {
        Some(error_type) => format!("the function failed ({kind}, {error_type})"),
        None => format!("the function failed ({kind})"),
    }
}

/// Lambda's refusal of an Invoke call: the error type from `x-amzn-errortype` or the JSON
/// body (`__type`, `code`, `Type`), and its message.
fn service_error(
    service: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> TransportError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| json.get(name).and_then(Value::as_str))
            .map(str::to_owned)
    };
    let header = headers
        .get("x-amzn-errortype")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let error_type = header
        .or_else(|| field(&["__type", "code", "Type"]))
        .map(|raw| short_error_type(&raw))
        .filter(|error_type| !error_type.is_empty())
        .unwrap_or_else(|| "UnknownError".to_owned());
    let message =
        field(&["message", "Message", "errorMessage"]).unwrap_or_else(|| "no message".to_owned());
    TransportError::Invoke {
        service: service.to_owned(),
        status: status.as_u16(),
        error_type,
        message: message.chars().take(MAX_MESSAGE_CHARS).collect(),
    }
}

/// `ResourceNotFoundException` from the forms services write it in:
/// `ResourceNotFoundException:http://internal...` or `com.amazon...#ResourceNotFoundException`.
fn short_error_type(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or_default();
    let after_hash = before_colon.rsplit('#').next().unwrap_or_default();
    after_hash
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_')
        .take(128)
        .collect()
}

/// The API Gateway HTTP API event for one subgraph request.
pub(crate) fn event(request: &SubgraphRequest) -> Value {
    let mut headers = Map::new();
    for (name, value) in &request.headers {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), Value::String(value.to_owned()));
        }
    }
    headers.insert("content-type".to_owned(), json!("application/json"));
    headers.insert("accept".to_owned(), json!(super::http::ACCEPT_GRAPHQL));
    let mut context = json!({
        "stage": "$default",
        "routeKey": "$default",
        "http": { "method": "POST", "path": "/graphql", "protocol": "HTTP/1.1" },
    });
    if let (Some(identity), Some(context)) = (&request.identity, context.as_object_mut()) {
        context.insert(
            "authorizer".to_owned(),
            json!({ "lambda": authorizer(identity) }),
        );
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": context,
        "body": String::from_utf8_lossy(&request.body),
        "isBase64Encoded": false,
    })
}

fn authorizer(identity: &Identity) -> Value {
    json!({
        "sub": identity.subject,
        "username": identity.username,
        "groups": identity.groups,
        "scopes": identity.scopes,
    })
}

/// Reads the function's HTTP response: its status and its body, decoded.
fn read_response(payload: &[u8]) -> Result<(StatusCode, Bytes), String> {
    let response: Value =
        serde_json::from_slice(payload).map_err(|_| "the function answered with no JSON")?;
    let status = response["statusCode"]
        .as_u64()
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or("the function's answer has no statusCode")?;
    let body = response["body"].as_str().unwrap_or_default();
    let body = if response["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| "the function's body is not valid base64")?
    } else {
        body.as_bytes().to_vec()
    };
    Ok((status, Bytes::from(body)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn the_caller_travels_as_the_authorizer_context() {
        let mut request = SubgraphRequest::new("todo", r#"{"query":"{a}"}"#);
        let mut identity = Identity::new("user-1");
        identity.groups = vec!["admins".to_owned()];
        request.identity = Some(identity);
        request
            .headers
            .insert("x-amzn-trace-id", "Root=1-a-b".parse().unwrap());
        let event = event(&request);
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["requestContext"]["http"]["method"], "POST");
        assert_eq!(
            event["requestContext"]["authorizer"]["lambda"]["sub"],
            "user-1"
        );
        assert_eq!(
            event["requestContext"]["authorizer"]["lambda"]["groups"][0],
            "admins"
        );
        assert_eq!(event["headers"]["x-amzn-trace-id"], "Root=1-a-b");
        assert_eq!(event["body"], r#"{"query":"{a}"}"#);
    }

    struct Query;

    #[async_graphql::Object]
    impl Query {
        async fn me(&self, ctx: &async_graphql::Context<'_>) -> Option<String> {
            crate::optional_caller(ctx).map(|caller| caller.subject.clone())
        }
    }

    #[tokio::test]
    async fn a_subgraph_behind_the_lambda_edge_reads_the_caller_from_the_event() {
        use async_graphql::{EmptyMutation, EmptySubscription, Schema};

        let subgraph = crate::Subgraph::new(Schema::build(Query, EmptyMutation, EmptySubscription));
        let mut request = SubgraphRequest::new("me", r#"{"query":"{ me }"}"#);
        request.identity = Some(Identity::new("user-1"));
        let invocation = stack_core::events::Invocation::default();
        let answer =
            stack_core::http::lambda::handle_event(&subgraph, event(&request), &invocation)
                .await
                .unwrap();
        let (status, body) = read_response(answer.to_string().as_bytes()).unwrap();
        assert_eq!(status, StatusCode::OK);
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body, json!({ "data": { "me": "user-1" } }));
    }

    #[test]
    fn an_anonymous_request_has_no_authorizer() {
        let event = event(&SubgraphRequest::new("todo", "{}"));
        assert!(event["requestContext"].get("authorizer").is_none());
    }

    #[test]
    fn responses_are_decoded_from_the_http_api_shape() {
        let plain = br#"{"statusCode":200,"body":"{\"data\":{}}"}"#;
        let (status, body) = read_response(plain).unwrap();
        assert_eq!(
            (status.as_u16(), body.as_ref()),
            (200, br#"{"data":{}}"#.as_ref())
        );
        let encoded = br#"{"statusCode":200,"body":"e30=","isBase64Encoded":true}"#;
        assert_eq!(read_response(encoded).unwrap().1.as_ref(), b"{}");
        assert!(read_response(b"nope").is_err());
    }

    // ----- the Invoke call

    /// The signature below was computed independently of `aws-sigv4`, with Python's `hmac`
    /// and `hashlib`, from the SigV4 rules (the canonical path is the encoded path encoded
    /// once more; `x-amzn-trace-id` is not signed):
    ///
    /// ```text
    /// def h(k, m): return hmac.new(k, m.encode(), hashlib.sha256).digest()
    /// path = "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-east-1%253A123456789012"
    ///        "%253Afunction%253Atodo%253Alive/invocations"
    /// headers = [("content-type", "application/json"),
    ///            ("host", "lambda.us-east-1.amazonaws.com"), ("x-amz-date", STAMP),
    ///            ("x-amz-invocation-type", "RequestResponse"), ("x-amz-security-token", TOKEN)]
    /// signed = ";".join(n for n, _ in headers)
    /// creq = "\n".join(["POST", path, ""] + [f"{n}:{v}" for n, v in headers]
    ///                  + ["", signed, hashlib.sha256(PAYLOAD).hexdigest()])
    /// sts = "\n".join(["AWS4-HMAC-SHA256", STAMP, "20260102/us-east-1/lambda/aws4_request",
    ///                  hashlib.sha256(creq.encode()).hexdigest()])
    /// key = h(h(h(h(("AWS4" + SECRET).encode(), "20260102"), "us-east-1"), "lambda"),
    ///         "aws4_request")
    /// hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    /// ```
    const KNOWN_SIGNATURE: &str =
        "cfe223d437c536a3a5a133905ef96ab161fd78719d4226ce495b100562c8f729";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN";
    /// 2026-01-02T03:04:05Z.
    const SIGNED_AT: u64 = 1_767_323_045;

    fn known_settings() -> LambdaSettings {
        let credentials = AwsCredentials::new("AKIDEXAMPLE", SECRET).with_session_token(TOKEN);
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(SIGNED_AT);
        LambdaSettings::new("us-east-1", credentials).clock(stack_core::clock::FixedClock::at(at))
    }

    #[tokio::test]
    async fn the_invoke_call_matches_an_independently_computed_signature() {
        let transport = LambdaTransport::new(
            &known_settings(),
            "arn:aws:lambda:us-east-1:123456789012:function:todo:live",
        )
        .unwrap();
        let trace = HeaderValue::from_static("Root=1-5f84c7a0-0123456789abcdef01234567");
        let request = transport
            .invoker
            .request(
                transport.function(),
                Bytes::from_static(br#"{"version":"2.0"}"#),
                Some(&trace),
            )
            .unwrap();
        assert_eq!(
            request.uri().to_string(),
            "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/\
             arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Atodo%3Alive/invocations"
        );
        let headers = request.headers();
        assert_eq!(headers["x-amz-date"], "20260102T030405Z");
        assert_eq!(headers["x-amz-security-token"], TOKEN);
        assert_eq!(headers["x-amzn-trace-id"], trace);
        assert_eq!(
            headers["authorization"],
            format!(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260102/us-east-1/lambda/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-invocation-type;\
                 x-amz-security-token, Signature={KNOWN_SIGNATURE}"
            )
        );
        assert!(headers["authorization"].is_sensitive());
        assert!(headers["x-amz-security-token"].is_sensitive());
    }

    #[test]
    fn function_names_are_checked() {
        for good in [
            "todo",
            "todo:live",
            "arn:aws:lambda:eu-west-1:1:function:x:$LATEST",
        ] {
            assert!(check_function(good).is_ok(), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "a b", "a%2F", &"x".repeat(257)] {
            assert!(check_function(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn more_transports_share_the_settings() {
        let todo = LambdaTransport::new(&known_settings(), "todo").unwrap();
        let media = todo.for_function("media").unwrap();
        assert!(Arc::ptr_eq(&todo.invoker, &media.invoker));
        assert!(todo.for_function("../x").unwrap_err().is_lambda_setting());
        let printed = format!("{media:?}");
        assert!(printed.contains("media") && !printed.contains(SECRET));
    }

    #[test]
    fn bad_settings_in_code_are_refused() {
        let credentials = AwsCredentials::new("AKID", "secret");
        let settings = LambdaSettings::new("us-east-1", credentials.clone())
            .endpoint("http://lambda.example.com");
        assert!(matches!(
            LambdaTransport::new(&settings, "todo"),
            Err(RouterError::InvalidUrl { .. })
        ));
        let settings = LambdaSettings::new("US East", credentials);
        assert!(matches!(
            LambdaTransport::new(&settings, "todo"),
            Err(RouterError::LambdaSetting {
                setting: "region",
                ..
            })
        ));
        let settings = LambdaSettings::new("us-east-1", AwsCredentials::new("AKID", ""));
        assert!(matches!(
            LambdaTransport::new(&settings, "todo"),
            Err(RouterError::LambdaSetting {
                setting: "credentials.secret_access_key",
                ..
            })
        ));
    }

    // ----- reading the answer

    fn answer_with(
        status: u16,
        headers: &[(&'static str, &str)],
        body: &str,
    ) -> Result<Bytes, TransportError> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let status = StatusCode::from_u16(status).unwrap();
        answer("todo", status, &map, body.as_bytes())
    }

    #[test]
    fn a_function_error_names_the_error_type_only() {
        let payload = r#"{"errorType":"Runtime.ExitError","errorMessage":"secret detail"}"#;
        let error = answer_with(200, &[(FUNCTION_ERROR, "Unhandled")], payload).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("Unhandled") && text.contains("Runtime.ExitError"),
            "{text}"
        );
        assert!(!text.contains("secret detail"));
        let error = answer_with(200, &[(FUNCTION_ERROR, "Handled")], "not json").unwrap_err();
        assert!(matches!(error, TransportError::Failed { .. }));
    }

    #[test]
    fn service_errors_carry_status_type_and_message() {
        let error = answer_with(
            404,
            &[(
                "x-amzn-errortype",
                "ResourceNotFoundException:http://internal.amazon.com/",
            )],
            r#"{"Type":"User","Message":"Function not found: todo"}"#,
        )
        .unwrap_err();
        assert!(error.is_not_found());
        let TransportError::Invoke {
            status,
            error_type,
            message,
            ..
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(
            (*status, error_type.as_str(), message.as_str()),
            (404, "ResourceNotFoundException", "Function not found: todo")
        );

        let throttled = answer_with(
            429,
            &[],
            r#"{"__type":"com.amazon#TooManyRequestsException","message":"Rate exceeded"}"#,
        )
        .unwrap_err();
        assert!(throttled.is_throttled());
        assert!(throttled.to_string().contains("TooManyRequestsException"));
        assert!(throttled.to_string().contains("not retried"));

        let garbage = answer_with(502, &[], "<html>bad gateway</html>").unwrap_err();
        let text = garbage.to_string();
        assert!(
            text.contains("502") && text.contains("UnknownError"),
            "{text}"
        );
    }

    #[test]
    fn a_payload_that_is_not_an_http_response_is_a_failure() {
        for payload in [
            "",
            "null",
            "[1]",
            r#"{"statusCode":"x"}"#,
            r#"{"statusCode":99999}"#,
        ] {
            let error = answer_with(200, &[], payload).unwrap_err();
            assert!(matches!(error, TransportError::Failed { .. }), "{payload}");
        }
        let ok = answer_with(200, &[], r#"{"statusCode":200,"body":"{\"data\":{}}"}"#).unwrap();
        assert_eq!(ok.as_ref(), br#"{"data":{}}"#);
    }
}

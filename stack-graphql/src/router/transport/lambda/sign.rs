//! SigV4 for Invoke calls, computed by the maintained `aws-sigv4` signer.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use http::{HeaderName, HeaderValue, Request};

/// The signing name of the Lambda service.
const SERVICE: &str = "lambda";

/// Signs `request` with its body as `credentials` in `region` at `time`: adds the
/// `authorization` and `x-amz-date` headers, and `x-amz-security-token` for temporary
/// credentials.
///
/// Every header already on the request is signed, except those a proxy may change
/// (`user-agent`, `x-amzn-trace-id`, ...). The path is signed double-encoded, as every service
/// but S3 expects.
pub(super) fn sign_request<B: AsRef<[u8]>>(
    request: &mut Request<B>,
    credentials: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<(), String> {
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("cannot sign the Invoke call: {e}"))?
        .into();
    let headers = request
        .headers()
        .iter()
        .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)));
    let signable = SignableRequest::new(
        request.method().as_str(),
        request.uri().to_string(),
        headers,
        SignableBody::Bytes(request.body().as_ref()),
    )
    .map_err(|e| format!("cannot sign the Invoke call: {e}"))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| format!("cannot sign the Invoke call: {e}"))?
        .into_parts();

    let (signing_headers, _query) = instructions.into_parts();
    for header in signing_headers {
        let name = HeaderName::from_bytes(header.name().as_bytes());
        let value = HeaderValue::from_str(header.value());
        let (Ok(name), Ok(mut value)) = (name, value) else {
            return Err(format!(
                "the signer made an invalid `{}` header",
                header.name()
            ));
        };
        // The signature and the token stay out of any header dump, whatever the signer says.
        value.set_sensitive(header.sensitive() || name != "x-amz-date");
        request.headers_mut().insert(name, value);
    }
    Ok(())
}

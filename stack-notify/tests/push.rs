//! Push: register, send, a disabled endpoint marks the device inactive, a new token
//! re-enables it; on SNS (moto) and on the local push log, with the same steps.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::sync::Arc;

use stack_notify::push::{
    Device, LocalPushLog, Platform, PushMessage, PushService, Pusher, SnsPush,
};

/// The scenario, with `disable` turning an endpoint off as the platform would.
async fn rotation_scenario<P, F, Fut>(service: P, disable: F)
where
    P: PushService,
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let pusher = Pusher::new(service);
    let message = PushMessage::new("New todo", "buy milk");
    let mut devices = vec![Device::new(
        Platform::Fcm,
        format!("token-{}", ulid::Ulid::new()),
    )];
    pusher.register(&mut devices[0]).await.unwrap();
    assert_eq!(pusher.push(&mut devices, &message).await.unwrap(), 1);

    disable(devices[0].endpoint.clone().unwrap()).await;
    assert_eq!(pusher.push(&mut devices, &message).await.unwrap(), 0);
    assert!(
        !devices[0].active,
        "a disabled endpoint marks the device inactive"
    );
    assert_eq!(
        pusher.push(&mut devices, &message).await.unwrap(),
        0,
        "inactive devices are skipped"
    );

    pusher
        .rotate(&mut devices[0], format!("token-{}", ulid::Ulid::new()))
        .await
        .unwrap();
    assert!(devices[0].active);
    assert_eq!(
        pusher.push(&mut devices, &message).await.unwrap(),
        1,
        "the new token re-enables it"
    );
}

#[tokio::test]
async fn token_rotation_and_disabled_endpoints_locally() {
    let dir = tempfile::tempdir().unwrap();
    let log = LocalPushLog::open(dir.path()).unwrap();
    let control = log.clone();
    rotation_scenario(log.clone(), |endpoint| {
        control.disable(&endpoint);
        async {}
    })
    .await;
    let entries = log.entries().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["message"]["body"], "buy milk");
}

fn sns(url: &str) -> aws_sdk_sns::Client {
    use aws_sdk_sns::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_sns::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    aws_sdk_sns::Client::from_conf(config)
}

#[tokio::test]
async fn token_rotation_and_disabled_endpoints_on_moto() {
    let url = match std::env::var("STACK_TEST_MOTO_URL") {
        Ok(url) => url,
        Err(_) if std::env::var("STACK_TEST_REQUIRE_MOTO").as_deref() == Ok("1") => {
            panic!("moto is required")
        }
        Err(_) => {
            return eprintln!(
                "skipping token_rotation_and_disabled_endpoints_on_moto: no STACK_TEST_MOTO_URL"
            );
        }
    };
    let client = sns(&url);
    let name = format!("app-{}", ulid::Ulid::new().to_string().to_lowercase());
    let application = client
        .create_platform_application()
        .name(&name)
        .platform("GCM")
        .attributes("PlatformCredential", "server-key")
        .send()
        .await
        .unwrap();
    let arn = application.platform_application_arn().unwrap().to_owned();
    let service = Arc::new(SnsPush::new(client.clone()).with_application(Platform::Fcm, arn));

    let control = client.clone();
    rotation_scenario(service, move |endpoint| {
        let control = control.clone();
        async move {
            control
                .set_endpoint_attributes()
                .endpoint_arn(endpoint)
                .attributes("Enabled", "false")
                .send()
                .await
                .unwrap();
        }
    })
    .await;
}

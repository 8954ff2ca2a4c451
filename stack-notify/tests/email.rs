//! Email: our templates into the local mailbox (`.eml` files, `GET /dev/mailbox`) and into
//! SES v2 on moto, with a configuration set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use bytes::Bytes;
use serde_json::{Value, json};
use stack_core::http::HttpService;
use stack_notify::email::{Email, LocalMailbox, Mailer, SesMailer, Templates, mailbox_endpoint};

fn templates() -> Templates {
    let mut templates = Templates::new();
    templates
        .add(
            "todo",
            "New todo: {{ title }}",
            "You added {{ title }}.",
            "<p>You added <b>{{ title }}</b>.</p>",
        )
        .unwrap();
    templates
}

fn email(to: &str) -> Email {
    let body = templates()
        .render("todo", &json!({ "title": "milk & <eggs>" }))
        .unwrap();
    Email::new("app@example.test", to, body.subject).with_body(body.text, body.html)
}

async fn get(service: &impl HttpService, path: &str) -> (u16, Value) {
    let request = http::Request::builder()
        .method("GET")
        .uri(path)
        .body(Bytes::new())
        .unwrap();
    let response = service.call(request).await;
    (
        response.status().as_u16(),
        serde_json::from_slice(response.body()).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_local_mailbox_writes_eml_files_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let mailbox = LocalMailbox::open(dir.path()).unwrap();
    mailbox.send(&email("ann@example.test")).await.unwrap();
    mailbox.send(&email("bob@example.test")).await.unwrap();

    let files: Vec<_> = std::fs::read_dir(dir.path().join("mailbox"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 2);
    let eml = std::fs::read_to_string(&mailbox.list().unwrap()[0].path).unwrap();
    assert!(eml.contains("Content-Type: multipart/alternative"));
    assert!(
        eml.contains("You added milk & <eggs>."),
        "text is not escaped"
    );
    assert!(
        eml.contains("<b>milk &amp; &lt;eggs&gt;</b>"),
        "HTML is escaped"
    );

    let endpoint = mailbox_endpoint(mailbox);
    let (status, listing) = get(&endpoint, "/dev/mailbox").await;
    assert_eq!(status, 200);
    let to: Vec<&str> = listing["emails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["ann@example.test", "bob@example.test"]);
    assert_eq!(listing["emails"][0]["subject"], "New todo: milk & <eggs>");
    assert_eq!(get(&endpoint, "/dev/other").await.0, 404);
}

#[tokio::test]
async fn header_injection_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mailbox = LocalMailbox::open(dir.path()).unwrap();
    let bad = Email::new(
        "app@example.test",
        "ann@example.test\r\nBcc: eve@example.test",
        "hi",
    );
    assert!(mailbox.send(&bad).await.unwrap_err().is_validation());
    let bad_subject = Email::new(
        "app@example.test",
        "ann@example.test",
        "hi\r\nBcc: eve@example.test",
    );
    assert!(
        mailbox
            .send(&bad_subject)
            .await
            .unwrap_err()
            .is_validation()
    );
}

fn ses(url: &str) -> aws_sdk_sesv2::Client {
    use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(url)
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
}

fn moto_url(test: &str) -> Option<String> {
    match std::env::var("STACK_TEST_MOTO_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("STACK_TEST_REQUIRE_MOTO").as_deref() == Ok("1") => {
            panic!("STACK_TEST_REQUIRE_MOTO=1 but STACK_TEST_MOTO_URL is not set")
        }
        Err(_) => {
            eprintln!("skipping {test}: set STACK_TEST_MOTO_URL to run it against moto");
            None
        }
    }
}

#[tokio::test]
async fn ses_sends_our_rendered_email_through_a_configuration_set_on_moto() {
    let Some(url) = moto_url("ses_sends_our_rendered_email_through_a_configuration_set_on_moto")
    else {
        return;
    };
    let client = ses(&url);
    let unique = ulid::Ulid::new().to_string().to_lowercase();
    client
        .create_email_identity()
        .email_identity("app@example.test")
        .send()
        .await
        .unwrap();
    let set = format!("mail-{unique}");
    client
        .create_configuration_set()
        .configuration_set_name(&set)
        .send()
        .await
        .unwrap();

    // moto has no GetSuppressedDestination: the lookup is exercised against AWS only.
    let mailer = SesMailer::new(client)
        .with_configuration_set(&set)
        .without_suppression_check();
    let id = mailer
        .send(&email(&format!("{unique}@example.test")))
        .await
        .unwrap();
    assert!(!id.is_empty());
    assert!(
        mailer
            .send(&Email::new("app@example.test", "not an address", "x"))
            .await
            .unwrap_err()
            .is_validation()
    );
}

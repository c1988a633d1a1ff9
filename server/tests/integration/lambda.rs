//! The Lambda entry: API Gateway HTTP API (payload v2) events from fixtures go through
//! `lambda_http`'s adapter into the same Router the local server uses, and the responses come
//! back in the v2 shape API Gateway expects.

use axum::{Router, http::header::SET_COOKIE, response::AppendHeaders, routing::get};
use lambda_http::{Context, LambdaEvent, Service, request::LambdaRequest};
use serde_json::{Value, json};
use server::{
    configuration::{AttemptBudget, AwsSettings, Backend, Settings},
    startup::{build_router, build_state},
};

use crate::helpers::fixture_site;

/// The host the fixture events were sent to.
const API_HOST: &str = "abc123.execute-api.eu-west-1.amazonaws.com";

/// The production Router on a fresh local data directory, answering for the fixtures' host.
async fn production_router() -> (Router, tempfile::TempDir) {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::local(([127, 0, 0, 1], 0).into(), data_dir.path(), fixture_site());
    if let Backend::Local { local_hosts, .. } = &mut settings.backend {
        local_hosts.push(API_HOST.into());
    }
    let state = build_state(&settings).await.unwrap();
    (build_router(state, &settings), data_dir)
}

/// A fixture event as JSON, to send as it is or adjusted.
fn fixture_event(fixture: &str) -> Value {
    let path = format!(
        "{}/tests/integration/fixtures/lambda/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Feeds one fixture event through the adapter `lambda_http::run` uses and returns the
/// response exactly as the runtime would post it back.
async fn invoke(router: Router, fixture: &str) -> Value {
    invoke_event(router, fixture_event(fixture)).await
}

/// Feeds `event` through the adapter.
async fn invoke_event(router: Router, event: Value) -> Value {
    let event: LambdaRequest = serde_json::from_value(event).expect("an API Gateway v2 event");
    let mut adapter = lambda_http::Adapter::from(router);
    let response = adapter
        .call(LambdaEvent::new(event, Context::default()))
        .await
        .unwrap();
    serde_json::to_value(response).unwrap()
}

fn body_json(response: &Value) -> Value {
    serde_json::from_str(response["body"].as_str().expect("a text body")).unwrap()
}

#[tokio::test]
async fn health_answers_through_the_lambda_adapter() {
    let (router, _data) = production_router().await;

    let response = invoke(router, "get_health.json").await;

    assert_eq!(response["statusCode"], 200);
    assert_eq!(response["headers"]["content-type"], "application/json");
    assert_eq!(
        response["headers"]["x-request-id"].as_str().unwrap().len(),
        36
    );
    assert_eq!(response["isBase64Encoded"], false);
    assert_eq!(
        body_json(&response),
        json!({"status": "ok", "mode": "local", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test]
async fn a_server_function_runs_through_the_lambda_adapter() {
    let (router, _data) = production_router().await;

    let first = invoke(router.clone(), "post_record_visit.json").await;
    let second = invoke(router, "post_record_visit.json").await;

    assert_eq!(first["statusCode"], 200);
    assert_eq!(body_json(&first), json!({"visits": 1}));
    assert_eq!(body_json(&second), json!({"visits": 2}));
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404_through_the_lambda_adapter() {
    let (router, _data) = production_router().await;

    let response = invoke(router, "get_unknown_api.json").await;

    assert_eq!(response["statusCode"], 404);
    assert_eq!(body_json(&response)["code"], "ERR_NOT_FOUND");
}

#[tokio::test]
async fn two_set_cookie_headers_become_two_entries_of_the_v2_cookies_array() {
    // Login and logout answer with cookies; API Gateway v2 drops every Set-Cookie header
    // but one unless they arrive as the `cookies` array, so the adapter must produce it.
    let (production, _data) = production_router().await;
    let router = Router::new()
        .route(
            "/api/test/two-cookies",
            get(|| async {
                AppendHeaders([
                    (SET_COOKIE, "first=1; Path=/api/auth; HttpOnly"),
                    (SET_COOKIE, "second=2; Path=/; Secure"),
                ])
            }),
        )
        .merge(production);

    let response = invoke(router, "get_two_cookies.json").await;

    assert_eq!(response["statusCode"], 200);
    assert_eq!(
        response["cookies"],
        json!([
            "first=1; Path=/api/auth; HttpOnly",
            "second=2; Path=/; Secure"
        ])
    );
    assert!(response["headers"].get("set-cookie").is_none());
}

/// A log-in event from `source_ip`, claiming in `X-Forwarded-For` to come from elsewhere.
fn log_in_from(source_ip: &str) -> Value {
    let mut event = fixture_event("post_record_visit.json");
    event["rawPath"] = json!("/api/auth/login");
    event["requestContext"]["http"]["path"] = json!("/api/auth/login");
    event["requestContext"]["http"]["sourceIp"] = json!(source_ip);
    event["headers"]["x-forwarded-for"] = json!("198.51.100.99");
    event["body"] = json!(r#"{"username":"victim","password":"Guess1Password"}"#);
    event
}

#[tokio::test]
async fn the_attempt_budget_follows_api_gateways_source_ip_not_x_forwarded_for() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::local(([127, 0, 0, 1], 0).into(), data_dir.path(), fixture_site());
    if let Backend::Local { local_hosts, .. } = &mut settings.backend {
        local_hosts.push(API_HOST.into());
    }
    settings.auth_attempts = AttemptBudget {
        per_hour: 60,
        burst: 1,
    };
    let router = build_router(build_state(&settings).await.unwrap(), &settings);

    let first = invoke_event(router.clone(), log_in_from("203.0.113.7")).await;
    let other_address = invoke_event(router.clone(), log_in_from("203.0.113.8")).await;
    let again = invoke_event(router, log_in_from("203.0.113.7")).await;

    assert_eq!(first["statusCode"], 401);
    assert_eq!(
        other_address["statusCode"], 401,
        "a shared forwarded-for header is ignored"
    );
    assert_eq!(again["statusCode"], 429);
}

#[tokio::test]
async fn in_aws_mode_a_request_without_cloudfronts_secret_header_is_refused() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::local(([127, 0, 0, 1], 0).into(), data_dir.path(), fixture_site());
    settings.backend = Backend::Aws(AwsSettings {
        counters_table: "unused".into(),
        posts_table: "unused".into(),
        user_pool_id: "us-east-1_unused".into(),
        user_pool_client_id: "unused".into(),
        user_pool_client_secret: None,
        refresh_token_days: 30,
        token_issuer: None,
        jwks_url: None,
        endpoint_url: Some("http://127.0.0.1:9".into()),
        origin_verify_secret: Some("s3cret-from-the-stack".into()),
    });
    let router = build_router(build_state(&settings).await.unwrap(), &settings);

    let direct = invoke(router.clone(), "get_health.json").await;
    let mut through_cloudfront = fixture_event("get_health.json");
    through_cloudfront["headers"]["x-origin-verify"] = json!("s3cret-from-the-stack");
    let forwarded = invoke_event(router.clone(), through_cloudfront.clone()).await;
    through_cloudfront["headers"]["x-origin-verify"] = json!("guessed");
    let guessed = invoke_event(router, through_cloudfront).await;

    assert_eq!(direct["statusCode"], 403);
    assert_eq!(body_json(&direct)["code"], "ERR_FORBIDDEN");
    assert_eq!(forwarded["statusCode"], 200);
    assert_eq!(guessed["statusCode"], 403);
}

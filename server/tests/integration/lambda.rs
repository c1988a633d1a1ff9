//! The Lambda entry: API Gateway HTTP API (payload v2) events from fixtures go through
//! `lambda_http`'s adapter into the same Router the local server uses, and the responses come
//! back in the v2 shape API Gateway expects.

use axum::{Router, http::header::SET_COOKIE, response::AppendHeaders, routing::get};
use lambda_http::{Context, LambdaEvent, Service, request::LambdaRequest};
use serde_json::{Value, json};
use server::{
    configuration::Settings,
    startup::{build_router, build_state},
};

use crate::helpers::fixture_site;

/// The production Router on a fresh local data directory.
async fn production_router() -> (Router, tempfile::TempDir) {
    let data_dir = tempfile::tempdir().unwrap();
    let settings = Settings::local(([127, 0, 0, 1], 0).into(), data_dir.path(), fixture_site());
    let state = build_state(&settings).await.unwrap();
    (build_router(state, &settings), data_dir)
}

/// Feeds one fixture event through the adapter `lambda_http::run` uses and returns the
/// response exactly as the runtime would post it back.
async fn invoke(router: Router, fixture: &str) -> Value {
    let path = format!(
        "{}/tests/integration/fixtures/lambda/{fixture}",
        env!("CARGO_MANIFEST_DIR")
    );
    let event: LambdaRequest = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("fixture is an API Gateway v2 event");
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

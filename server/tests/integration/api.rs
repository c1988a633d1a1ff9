//! The API surface: health, the server function, JSON errors and request ids.

use serde_json::{Value, json};

use reqwest::Method;
use server::configuration::Origin;

use crate::helpers::{TestApp, spawn_app, spawn_app_in, spawn_app_with};

/// A server function with no side effects, for the cases about the surface itself.
const LIST_POSTS: &str = "/api/fn/list_posts";

#[tokio::test]
async fn health_reports_ok_the_local_mode_and_the_version() {
    let (app, _data) = spawn_app().await;

    let response = app.get("/api/health").await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"status": "ok", "mode": "local", "version": env!("CARGO_PKG_VERSION")})
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_a_client_supplied_one_is_kept() {
    let (app, _data) = spawn_app().await;

    let generated = app.get("/api/health").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID, got {id}");

    let echoed = app
        .client
        .get(format!("{}/api/health", app.address))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-123");
}

#[tokio::test]
async fn a_server_function_answers_json() {
    let (app, _data) = spawn_app().await;

    let response = app.post_json(LIST_POSTS, &json!({})).await;

    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["posts"], json!([]));
}

#[tokio::test]
async fn posts_survive_a_restart_on_the_same_data_directory() {
    let (app, data_dir) = spawn_app().await;
    let token = app.access_token("keeper").await;
    let created = app
        .client
        .post(format!("{}/api/posts", app.address))
        .bearer_auth(token)
        .json(&json!({"title": "Still here", "content": "after a restart"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    app.stop().await;

    let restarted = spawn_app_in(data_dir.path()).await;
    let body: Value = restarted.get("/api/posts").await.json().await.unwrap();
    assert_eq!(body[0]["title"], "Still here");
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404_not_the_spa() {
    let (app, _data) = spawn_app().await;

    for path in ["/api/unknown", "/api", "/api/posts/nope/deeper"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers().contains_key("x-request-id"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "ERR_NOT_FOUND", "{path}");
        assert!(body["error"].as_str().unwrap().len() > 10);
    }
}

#[tokio::test]
async fn an_unknown_server_function_is_a_json_404() {
    let (app, _data) = spawn_app().await;

    let response = app.post_json("/api/fn/no_such_function", &json!({})).await;

    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "ERR_NOT_FOUND");
}

#[tokio::test]
async fn a_server_function_refuses_a_body_that_is_not_json() {
    let (app, _data) = spawn_app().await;

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = app
            .client
            .post(format!("{}{LIST_POSTS}", app.address))
            .header("content-type", content_type)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "ERR_UNSUPPORTED_MEDIA_TYPE");
    }
}

#[tokio::test]
async fn malformed_json_is_a_400() {
    let (app, _data) = spawn_app().await;

    let response = app
        .client
        .post(format!("{}{LIST_POSTS}", app.address))
        .header("content-type", "application/json")
        .body("[1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "ERR_BAD_REQUEST");
}

#[tokio::test]
async fn the_wrong_method_is_a_json_405() {
    let (app, _data) = spawn_app().await;

    let response = app.get(LIST_POSTS).await;

    assert_eq!(response.status(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "ERR_METHOD_NOT_ALLOWED");
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client
        .request(Method::OPTIONS, format!("{}{LIST_POSTS}", app.address))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,authorization",
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_configured_origin_may_call_the_api_with_credentials() {
    let data_dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(data_dir.path(), |settings| {
        settings.allowed_origins = vec![Origin::parse("https://app.example.com").unwrap()];
    })
    .await;

    let allowed = preflight(&app, "https://app.example.com").await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );

    let foreign = preflight(&app, "https://evil.example.net").await;
    assert!(
        !foreign
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn with_no_configured_origins_no_cors_header_is_ever_sent() {
    let (app, _data) = spawn_app().await;

    let response = preflight(&app, "https://app.example.com").await;

    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn the_local_server_shows_its_metrics_by_route_template_in_prometheus_format() {
    let (app, _data) = spawn_app().await;
    app.get("/api/posts").await;
    app.get("/api/posts/999").await;

    let response = app.get("/api/metrics").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    for series in [
        r#"boardwalk_http_requests_total{method="GET",route="/api/posts",status_class="2xx"} 1"#,
        r#"boardwalk_http_requests_total{method="GET",route="/api/posts/{id}",status_class="4xx"} 1"#,
        r#"boardwalk_http_request_duration_seconds_count{method="GET",route="/api/posts"} 1"#,
        "boardwalk_cold_starts_total 1",
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
}

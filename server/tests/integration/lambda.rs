//! The Lambda entry: API Gateway HTTP API (payload v2) events from fixtures go through
//! `lambda_http`'s adapter into the same Router the local server uses, and the responses come
//! back in the v2 shape API Gateway expects.

use axum::{Router, http::header::SET_COOKIE, response::AppendHeaders, routing::get};
use lambda_http::{Context, LambdaEvent, Service, request::LambdaRequest};
use serde_json::{Value, json};
use server::{
    configuration::{AttemptBudget, AwsSettings, Backend, Settings},
    ports::ChatStore,
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

    let response = invoke(router, "post_list_posts.json").await;

    assert_eq!(response["statusCode"], 200);
    assert_eq!(body_json(&response)["posts"], json!([]));
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
    let mut event = fixture_event("post_list_posts.json");
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
    settings.backend = Backend::Aws(Box::new(AwsSettings {
        counters_table: "unused".into(),
        posts_table: "unused".into(),
        comments_table: "unused".into(),
        chat_table: "unused".into(),
        live_table: "unused".into(),
        media_table: "unused".into(),
        media_bucket: "unused".into(),
        websocket_url: "wss://unused.example/prod".into(),
        websocket_endpoint: "http://127.0.0.1:9".into(),
        user_pool_id: "us-east-1_unused".into(),
        user_pool_client_id: "unused".into(),
        user_pool_client_secret: None,
        refresh_token_days: 30,
        token_issuer: None,
        jwks_url: None,
        endpoint_url: Some("http://127.0.0.1:9".into()),
        origin_verify_secret: Some("s3cret-from-the-stack".into()),
        flags_url: None,
    }));
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

/// AWS-mode state on moto's tables, posting to the fake Management API at `endpoint`.
async fn aws_state_on_moto(endpoint: &str) -> (server::http::AppState, Router, String) {
    let client = aws_sdk_dynamodb::Client::new(&crate::moto::sdk_config().await);
    let (chat_table, live_table) = (
        crate::moto::unique_table("chat"),
        crate::moto::unique_table("live"),
    );
    crate::moto::create_chat_table(&client, &chat_table).await;
    crate::moto::create_live_table(&client, &live_table).await;
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::local(([127, 0, 0, 1], 0).into(), data_dir.path(), fixture_site());
    settings.backend = Backend::Aws(Box::new(AwsSettings {
        counters_table: "unused".into(),
        posts_table: "unused".into(),
        comments_table: "unused".into(),
        chat_table: chat_table.clone(),
        live_table,
        media_table: "unused".into(),
        media_bucket: "unused".into(),
        websocket_url: "wss://ws123.execute-api.eu-west-1.amazonaws.com/prod".into(),
        websocket_endpoint: endpoint.into(),
        user_pool_id: "us-east-1_unused".into(),
        user_pool_client_id: "unused".into(),
        user_pool_client_secret: None,
        refresh_token_days: 30,
        token_issuer: None,
        jwks_url: None,
        endpoint_url: Some(crate::moto::moto().endpoint.clone()),
        origin_verify_secret: None,
        flags_url: None,
    }));
    let state = build_state(&settings).await.unwrap();
    let router = build_router(state.clone(), &settings);
    (state, router, chat_table)
}

fn person(name: &str) -> (app::services::Caller, server::ports::Person) {
    let sub = format!("sub-{name}");
    (
        app::services::Caller {
            sub: sub.clone(),
            username: name.into(),
            groups: Vec::new(),
        },
        server::ports::Person {
            sub,
            username: name.into(),
        },
    )
}

async fn socket_event(
    router: &Router,
    state: &server::http::AppState,
    fixture: &str,
    ticket: Option<&str>,
) -> Value {
    let mut event = fixture_event(fixture);
    match ticket {
        Some(ticket) => {
            event["queryStringParameters"]["ticket"] = json!(ticket);
            event["multiValueQueryStringParameters"]["ticket"] = json!([ticket]);
        }
        None => {
            if let Some(fields) = event.as_object_mut() {
                fields.remove("queryStringParameters");
                fields.remove("multiValueQueryStringParameters");
            }
        }
    }
    server::lambda::dispatch(router.clone(), state, event, Context::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn websocket_events_admit_a_ticket_once_deliver_to_the_connection_and_forget_it() {
    let (endpoint, posted) = crate::management_api::fake_management_api().await;
    let (state, router, chat_table) = aws_state_on_moto(&endpoint).await;
    let ((alice, alice_person), (bob, bob_person)) = (person("alice"), person("bob"));
    let store = server::adapters::dynamo::DynamoChatStore::new(
        aws_sdk_dynamodb::Client::new(&crate::moto::sdk_config().await),
        chat_table,
    );
    store
        .create_room(&server::ports::NewRoom {
            id: app::domain::RoomId::parse("r_lambda").unwrap(),
            name: None,
            members: vec![alice_person, bob_person],
            at_ms: 1_800_000_000_000,
        })
        .await
        .unwrap();
    let ticket = state.chat.socket_ticket(&bob).await.unwrap();
    assert_eq!(
        ticket.url,
        "wss://ws123.execute-api.eu-west-1.amazonaws.com/prod"
    );

    let opened = socket_event(&router, &state, "ws_connect.json", Some(&ticket.ticket)).await;
    let reused = socket_event(&router, &state, "ws_connect.json", Some(&ticket.ticket)).await;
    let without = socket_event(&router, &state, "ws_connect.json", None).await;
    let chatter = socket_event(&router, &state, "ws_default.json", None).await;
    assert_eq!(opened, json!({"statusCode": 200}));
    assert_eq!(reused, json!({"statusCode": 401}));
    assert_eq!(without, json!({"statusCode": 401}));
    assert_eq!(chatter, json!({"statusCode": 200}));

    let say = |text: &str| app::dto::SendMessageRequest {
        room_id: "r_lambda".into(),
        text: text.into(),
        sender_id: None,
    };
    let sent = state
        .chat
        .send(&alice, say("over the socket"))
        .await
        .unwrap();
    let received = posted.lock().unwrap().clone();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].0, "KsEkXcQADoECFMw=");
    let event: Value = serde_json::from_str(&received[0].1).unwrap();
    assert_eq!(
        event,
        json!({"type": "message", "message": serde_json::to_value(&sent).unwrap()})
    );

    let closed = socket_event(&router, &state, "ws_disconnect.json", None).await;
    assert_eq!(closed, json!({"statusCode": 200}));
    state
        .chat
        .send(&alice, say("nobody listening"))
        .await
        .unwrap();
    assert_eq!(
        posted.lock().unwrap().len(),
        1,
        "the closed connection got nothing more"
    );
}

#[tokio::test]
async fn the_dispatcher_hands_http_events_to_the_router() {
    let (router, _data) = production_router().await;
    let state = build_state(&Settings::local(
        ([127, 0, 0, 1], 0).into(),
        _data.path(),
        fixture_site(),
    ))
    .await
    .unwrap();

    let response = server::lambda::dispatch(
        router,
        &state,
        fixture_event("get_health.json"),
        Context::default(),
    )
    .await
    .unwrap();

    assert_eq!(response["statusCode"], 200);
    assert_eq!(body_json(&response)["status"], "ok");
}

/// What the function writes to stdout, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<Value> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is one JSON document"))
            .collect()
    }
}

#[tokio::test]
async fn each_request_writes_one_emf_line_per_route_template_with_both_request_ids() {
    let data_dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::local(([127, 0, 0, 1], 0).into(), data_dir.path(), fixture_site());
    if let Backend::Local { local_hosts, .. } = &mut settings.backend {
        local_hosts.push(API_HOST.into());
    }
    let mut state = build_state(&settings).await.unwrap();
    let stdout = Captured::default();
    state.metrics = std::sync::Arc::new(server::http::metrics::RequestMetrics::emf(Box::new(
        stdout.clone(),
    )));
    let router = build_router(state, &settings);

    invoke(router.clone(), "post_list_posts.json").await;
    invoke(router.clone(), "post_list_posts.json").await;
    let mut metrics = fixture_event("post_list_posts.json");
    metrics["rawPath"] = json!("/api/metrics");
    metrics["requestContext"]["http"]["path"] = json!("/api/metrics");
    metrics["requestContext"]["http"]["method"] = json!("GET");
    let exposition = invoke_event(router, metrics).await;
    assert_eq!(
        exposition["statusCode"], 404,
        "Lambda writes EMF; there is no /api/metrics"
    );

    let lines = stdout.lines();
    assert_eq!(lines.len(), 3);
    for line in &lines {
        let declared = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Namespace"], "Boardwalk");
        assert_eq!(declared["Dimensions"][0], json!(["Route", "StatusClass"]));
        for metric in declared["Metrics"].as_array().unwrap() {
            assert!(line[metric["Name"].as_str().unwrap()].is_number(), "{line}");
        }
        assert!(line["_aws"]["Timestamp"].as_u64().unwrap() > 1_700_000_000_000);
        assert_eq!(line["apiGatewayRequestId"], "Jd8cLhH7DoEEMxQ=");
        assert_eq!(line["requestId"].as_str().unwrap().len(), 36);
    }
    assert_eq!(
        lines[0]["Route"], "/api/fn/{*fn_name}",
        "the template, not the raw path"
    );
    assert_eq!(lines[0]["StatusClass"], "2xx");
    assert_eq!(
        (
            lines[0]["ColdStart"].as_u64(),
            lines[1]["ColdStart"].as_u64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(lines[2]["StatusClass"], "4xx");
}

//! The posts REST contract: every status code of the reference table, over the real server.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    json_body: Option<Value>,
) -> Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(json_body) = json_body {
        request = request.json(&json_body);
    }
    request.send().await.unwrap()
}

async fn create(app: &TestApp, token: &str, title: &str) -> Value {
    let response = send(
        app,
        Method::POST,
        "/api/posts",
        Some(token),
        Some(json!({"title": title, "content": "Hello"})),
    )
    .await;
    assert_eq!(response.status(), 201);
    body(response).await
}

#[tokio::test]
async fn a_post_is_created_read_listed_edited_and_deleted_by_its_author() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("alice").await;

    let created = send(
        &app,
        Method::POST,
        "/api/posts",
        Some(&token),
        Some(json!({"title": "  First  ", "content": "<script>alert(1)</script>"})),
    )
    .await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["location"], "/api/posts/1");
    let post = body(created).await;
    assert_eq!(post["id"], "1");
    assert_eq!(post["title"], "First");
    assert_eq!(
        post["content"], "<script>alert(1)</script>",
        "stored as written; rendered as text"
    );
    assert_eq!(post["userName"], "alice");
    assert_eq!(post["version"], 1);
    assert_eq!(post["createdAt"], post["updatedAt"]);
    assert_eq!(post["userId"].as_str().unwrap().len(), 36);

    assert_eq!(body(app.get("/api/posts/1").await).await, post);
    let listed = app.get("/api/posts").await;
    assert_eq!(listed.status(), 200);
    assert!(listed.headers().get("x-next-cursor").is_none());
    assert_eq!(body(listed).await, json!([post]));

    let edited = send(
        &app,
        Method::PUT,
        "/api/posts/1",
        Some(&token),
        Some(json!({"title": "First, edited", "content": "Now plain", "version": 1})),
    )
    .await;
    assert_eq!(edited.status(), 200);
    let edited = body(edited).await;
    assert_eq!(
        (edited["version"].as_u64(), edited["title"].as_str()),
        (Some(2), Some("First, edited"))
    );

    let deleted = send(&app, Method::DELETE, "/api/posts/1", Some(&token), None).await;
    assert_eq!(deleted.status(), 200);
    assert!(body(deleted).await["message"].is_string());
    assert_eq!(app.get("/api/posts/1").await.status(), 404);
    assert_eq!(
        create(&app, &token, "after").await["id"],
        "2",
        "ids are never reused"
    );
}

#[tokio::test]
async fn pages_are_newest_first_and_linked_by_the_next_cursor_header() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("bob").await;
    for n in 1..=5 {
        create(&app, &token, &format!("post {n}")).await;
    }

    let first = app.get("/api/posts?limit=2").await;
    let cursor = first.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    let ids = |page: &Value| {
        page.as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&body(first).await), ["5", "4"]);
    let second = body(
        app.get(&format!("/api/posts?limit=2&cursor={cursor}"))
            .await,
    )
    .await;
    assert_eq!(ids(&second), ["3", "2"]);
}

#[tokio::test]
async fn bad_limits_and_cursors_are_400_naming_the_parameter() {
    let (app, _data) = spawn_app().await;

    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=forged", "cursor"),
    ] {
        let response = app.get(&format!("/api/posts?{query}")).await;
        assert_eq!(response.status(), 400, "{query}");
        assert_eq!(body(response).await["field"], field, "{query}");
    }
}

#[tokio::test]
async fn unknown_or_malformed_ids_are_404() {
    let (app, _data) = spawn_app().await;

    for path in [
        "/api/posts/999",
        "/api/posts/0",
        "/api/posts/abc",
        "/api/posts/042",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(body(response).await["code"], "ERR_NOT_FOUND");
    }
}

#[tokio::test]
async fn writing_needs_a_valid_token() {
    let (app, _data) = spawn_app().await;

    let anonymous = send(
        &app,
        Method::POST,
        "/api/posts",
        None,
        Some(json!({"title": "t", "content": "c"})),
    )
    .await;
    let forged = send(
        &app,
        Method::POST,
        "/api/posts",
        Some("not.a.jwt"),
        Some(json!({"title": "t", "content": "c"})),
    )
    .await;

    for response in [anonymous, forged] {
        assert_eq!(response.status(), 401);
        assert_eq!(body(response).await["code"], "ERR_UNAUTHORIZED");
    }
    assert_eq!(
        body(app.get("/api/posts").await).await,
        json!([]),
        "nothing was written"
    );
}

#[tokio::test]
async fn invalid_fields_are_400_naming_the_field_and_nothing_is_written() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("carol").await;

    for (request, field) in [
        (json!({"title": "   ", "content": "c"}), "title"),
        (json!({"title": "x".repeat(201), "content": "c"}), "title"),
        (json!({"title": "t", "content": ""}), "content"),
        (
            json!({"title": "t", "content": "x".repeat(20_001)}),
            "content",
        ),
    ] {
        let response = send(
            &app,
            Method::POST,
            "/api/posts",
            Some(&token),
            Some(request),
        )
        .await;
        assert_eq!(response.status(), 400);
        assert_eq!(body(response).await["field"], field);
    }
    assert_eq!(body(app.get("/api/posts").await).await, json!([]));
}

#[tokio::test]
async fn another_person_gets_403_and_the_post_is_untouched() {
    let (app, _data) = spawn_app().await;
    let author = app.access_token("dana").await;
    let stranger = app.access_token("eli").await;
    let post = create(&app, &author, "mine").await;

    let edit = send(
        &app,
        Method::PUT,
        "/api/posts/1",
        Some(&stranger),
        Some(json!({"title": "hijacked", "content": "x"})),
    )
    .await;
    let delete = send(&app, Method::DELETE, "/api/posts/1", Some(&stranger), None).await;

    for response in [edit, delete] {
        assert_eq!(response.status(), 403);
        assert_eq!(body(response).await["code"], "ERR_FORBIDDEN");
    }
    assert_eq!(body(app.get("/api/posts/1").await).await, post);
}

#[tokio::test]
async fn editing_or_deleting_a_missing_post_is_404() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("finn").await;

    let edit = send(
        &app,
        Method::PUT,
        "/api/posts/7",
        Some(&token),
        Some(json!({"title": "t", "content": "c"})),
    )
    .await;
    let delete = send(&app, Method::DELETE, "/api/posts/7", Some(&token), None).await;

    assert_eq!(edit.status(), 404);
    assert_eq!(delete.status(), 404);
}

#[tokio::test]
async fn a_stale_version_is_409_with_the_current_post() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("gail").await;
    create(&app, &token, "v1").await;
    let current = send(
        &app,
        Method::PUT,
        "/api/posts/1",
        Some(&token),
        Some(json!({"title": "v2", "content": "c", "version": 1})),
    )
    .await;
    let current = body(current).await;

    let stale = send(
        &app,
        Method::PUT,
        "/api/posts/1",
        Some(&token),
        Some(json!({"title": "v2 again", "content": "c", "version": 1})),
    )
    .await;

    assert_eq!(stale.status(), 409);
    let error = body(stale).await;
    assert_eq!(error["code"], "ERR_CONFLICT");
    assert_eq!(error["current"], current);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415_and_an_oversized_one_413() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("hugo").await;

    let text = app
        .client
        .post(format!("{}/api/posts", app.address))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body(r#"{"title":"t","content":"c"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(text.status(), 415);

    let huge = json!({"title": "t", "content": "x".repeat(3 * 1024 * 1024)});
    let oversized = send(&app, Method::POST, "/api/posts", Some(&token), Some(huge)).await;
    assert_eq!(oversized.status(), 413);
    assert_eq!(body(oversized).await["code"], "ERR_PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_failing_store_is_a_503_that_reveals_nothing_of_the_dependency() {
    let data_dir = tempfile::tempdir().unwrap();
    let app =
        crate::helpers::spawn_aws_app(data_dir.path(), "no-such-counters", "no-such-posts").await;

    let response = app.get("/api/posts").await;

    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("x-request-id"));
    let text = response.text().await.unwrap();
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["code"], "ERR_UNAVAILABLE");
    for leak in ["no-such-posts", "ResourceNotFound", "dynamodb", "DynamoDB"] {
        assert!(!text.contains(leak), "the body leaks {leak}: {text}");
    }
}

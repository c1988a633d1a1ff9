//! Feature flags over REST on the real server: what `GET /api/flags` says, and that a
//! feature off for someone answers them 404 on every route while it still works for
//! others, after the flags file changes and without a restart. Groups come from the local
//! provider's admin command, through the token.

use std::{net::SocketAddr, path::Path, time::Duration};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server::{adapters::flags::FLAGS_FILE, admin, configuration::Settings};

use crate::helpers::{TestApp, spawn_app};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn flags_of(app: &TestApp, token: Option<&str>) -> Value {
    let answer = call(app, Method::GET, "/api/flags", token, None).await;
    assert_eq!(answer.status(), 200);
    answer.json::<Value>().await.unwrap()["flags"].clone()
}

async fn put_in_group(data_dir: &Path, username: &str, group: &str) {
    let settings = Settings::local(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir,
        Path::new("unused"),
    );
    let words = ["group", "add", username, group].map(str::to_owned);
    let said = admin::run(&words, &settings).await.unwrap();
    assert!(said.contains(group), "{said}");
}

/// Writes the flags file and waits past the server's one-second recheck.
async fn write_flags(data_dir: &Path, values: Value) {
    let flags: serde_json::Map<String, Value> = values
        .as_object()
        .unwrap()
        .keys()
        .map(|name| (name.clone(), json!({"name": name})))
        .collect();
    let document = json!({"version": "1", "flags": flags, "values": values});
    std::fs::write(data_dir.join(FLAGS_FILE), document.to_string()).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
}

#[tokio::test]
async fn everyone_gets_every_feature_by_default_and_beta_goes_to_its_group() {
    let (app, data) = spawn_app().await;
    app.confirmed_user("tess").await;
    put_in_group(data.path(), "tess", "beta").await;
    let tester = app.access_token_of("tess").await;

    let visitor = flags_of(&app, None).await;
    let member = flags_of(&app, Some(&tester)).await;

    for flag in ["chat", "pictures", "comments"] {
        assert_eq!(visitor[flag]["enabled"], true, "{flag}");
    }
    assert_eq!(visitor["beta"]["enabled"], false);
    assert_eq!(member["beta"]["enabled"], true);
    let refused = call(&app, Method::GET, "/api/flags", Some("not-a-token"), None).await;
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn a_feature_switched_off_for_someone_is_404_to_them_only_without_a_restart() {
    let (app, data) = spawn_app().await;
    app.confirmed_user("early").await;
    put_in_group(data.path(), "early", "early").await;
    let early = app.access_token_of("early").await;
    let late = app.access_token("late").await;
    let post = call(
        &app,
        Method::POST,
        "/api/posts",
        Some(&late),
        Some(json!({"title": "T", "content": "C"})),
    )
    .await;
    assert_eq!(post.status(), 201);

    write_flags(
        data.path(),
        json!({
            "chat": {"enabled": true, "groups": ["early"]},
            "pictures": {"enabled": true, "groups": ["early"]},
            "comments": {"enabled": true, "kill": true}
        }),
    )
    .await;

    assert_eq!(flags_of(&app, Some(&late)).await["chat"]["enabled"], false);
    assert_eq!(flags_of(&app, Some(&early)).await["chat"]["enabled"], true);
    let rooms = |token| call(&app, Method::GET, "/api/chats/rooms", Some(token), None);
    assert_eq!(rooms(&late).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(rooms(&early).await.status(), StatusCode::OK);
    let ticket = call(&app, Method::POST, "/api/chats/socket", Some(&late), None).await;
    assert_eq!(ticket.status(), StatusCode::NOT_FOUND);
    let upload = json!({"purpose": "post", "contentType": "image/png", "size": 10});
    let late_upload = call(
        &app,
        Method::POST,
        "/api/media/uploads",
        Some(&late),
        Some(upload.clone()),
    )
    .await;
    let early_upload = call(
        &app,
        Method::POST,
        "/api/media/uploads",
        Some(&early),
        Some(upload),
    )
    .await;
    assert_eq!(
        (late_upload.status(), early_upload.status()),
        (StatusCode::NOT_FOUND, StatusCode::CREATED)
    );
    let with_images = json!({"title": "T", "content": "C", "images": [{"pictureId": "0".repeat(32), "alt": "x"}]});
    let image_post = call(
        &app,
        Method::POST,
        "/api/posts",
        Some(&late),
        Some(with_images),
    )
    .await;
    assert_eq!(image_post.status(), StatusCode::NOT_FOUND);
    let thread = call(&app, Method::GET, "/api/posts/1/comments", None, None).await;
    assert_eq!(
        thread.status(),
        StatusCode::NOT_FOUND,
        "killed for everyone"
    );
    let board = call(&app, Method::GET, "/api/posts", None, None).await;
    assert_eq!(
        board.status(),
        StatusCode::OK,
        "the board itself is never gated"
    );

    write_flags(data.path(), json!({})).await;
    assert_eq!(
        rooms(&late).await.status(),
        StatusCode::OK,
        "back on without a restart"
    );
}

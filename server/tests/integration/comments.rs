//! Comments over REST on the real server: the status codes of the posts table, paging by
//! header, counts on posts, and moderation by the post's author.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Response {
    let mut request = app.client.request(method, format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn post(app: &TestApp, token: &str) -> String {
    let created = call(
        app,
        Method::POST,
        "/api/posts",
        Some(token),
        Some(json!({"title": "Thread", "content": "Go"})),
    )
    .await;
    json_of(created).await["id"].as_str().unwrap().to_owned()
}

async fn comment(app: &TestApp, token: &str, post: &str, text: &str) -> Value {
    let path = format!("/api/posts/{post}/comments");
    let created = call(
        app,
        Method::POST,
        &path,
        Some(token),
        Some(json!({"text": text})),
    )
    .await;
    assert_eq!(created.status(), 201);
    json_of(created).await
}

#[tokio::test]
async fn comments_are_written_read_in_pages_edited_and_counted() {
    let (app, _data) = spawn_app().await;
    let ann = app.access_token("ann").await;
    let bob = app.access_token("bob").await;
    let thread = post(&app, &ann).await;
    for n in 1..=3 {
        comment(&app, &bob, &thread, &format!("reply {n}")).await;
    }

    let first = call(
        &app,
        Method::GET,
        &format!("/api/posts/{thread}/comments?limit=2"),
        None,
        None,
    )
    .await;
    assert_eq!(first.status(), 200);
    let cursor = first.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    let first = json_of(first).await;
    assert_eq!(first[0]["text"], "reply 1");
    assert_eq!(first[0]["userName"], "bob");
    assert_eq!(first[0]["postId"], thread.as_str());
    let rest = call(
        &app,
        Method::GET,
        &format!("/api/posts/{thread}/comments?limit=2&cursor={cursor}"),
        None,
        None,
    )
    .await;
    assert!(rest.headers().get("x-next-cursor").is_none());
    assert_eq!(json_of(rest).await[0]["text"], "reply 3");

    let id = first[0]["id"].as_str().unwrap();
    let path = format!("/api/posts/{thread}/comments/{id}");
    let edited = call(
        &app,
        Method::PUT,
        &path,
        Some(&bob),
        Some(json!({"text": "reply one", "version": 1})),
    )
    .await;
    assert_eq!(edited.status(), 200);
    assert_eq!(json_of(edited).await["version"], 2);
    let stale = call(
        &app,
        Method::PUT,
        &path,
        Some(&bob),
        Some(json!({"text": "again", "version": 1})),
    )
    .await;
    assert_eq!(stale.status(), 409);
    assert_eq!(json_of(stale).await["currentComment"]["text"], "reply one");

    let board = json_of(call(&app, Method::GET, "/api/posts", None, None).await).await;
    assert_eq!(board[0]["commentCount"], 3);
    let one = json_of(
        call(
            &app,
            Method::GET,
            &format!("/api/posts/{thread}"),
            None,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(one["commentCount"], 3);
}

#[tokio::test]
async fn the_status_codes_match_the_posts() {
    let (app, _data) = spawn_app().await;
    let ann = app.access_token("ann").await;
    let bob = app.access_token("bob").await;
    let cat = app.access_token("cat").await;
    let thread = post(&app, &ann).await;
    let bobs = comment(&app, &bob, &thread, "bob's").await;
    let path = format!(
        "/api/posts/{thread}/comments/{}",
        bobs["id"].as_str().unwrap()
    );
    let comments = format!("/api/posts/{thread}/comments");

    let anonymous = call(
        &app,
        Method::POST,
        &comments,
        None,
        Some(json!({"text": "hi"})),
    )
    .await;
    let empty = call(
        &app,
        Method::POST,
        &comments,
        Some(&bob),
        Some(json!({"text": " "})),
    )
    .await;
    let too_long = call(
        &app,
        Method::POST,
        &comments,
        Some(&bob),
        Some(json!({"text": "x".repeat(2001)})),
    )
    .await;
    let missing_post = call(
        &app,
        Method::POST,
        "/api/posts/999/comments",
        Some(&bob),
        Some(json!({"text": "hi"})),
    )
    .await;
    let missing_thread = call(&app, Method::GET, "/api/posts/999/comments", None, None).await;
    let bad_limit = call(
        &app,
        Method::GET,
        &format!("{comments}?limit=500"),
        None,
        None,
    )
    .await;
    let bad_cursor = call(
        &app,
        Method::GET,
        &format!("{comments}?cursor=forged"),
        None,
        None,
    )
    .await;
    let not_theirs = call(
        &app,
        Method::PUT,
        &path,
        Some(&cat),
        Some(json!({"text": "hijack"})),
    )
    .await;
    let stranger_delete = call(&app, Method::DELETE, &path, Some(&cat), None).await;
    let no_such = call(
        &app,
        Method::DELETE,
        &format!("{comments}/18000000000000000000a"),
        Some(&bob),
        None,
    )
    .await;

    assert_eq!(anonymous.status(), 401);
    assert_eq!(empty.status(), 400);
    assert_eq!(json_of(empty).await["field"], "text");
    assert_eq!(too_long.status(), 400);
    assert_eq!(missing_post.status(), 404);
    assert_eq!(missing_thread.status(), 404);
    assert_eq!(bad_limit.status(), 400);
    assert_eq!(bad_cursor.status(), 400);
    assert_eq!(not_theirs.status(), 403);
    assert_eq!(stranger_delete.status(), 403);
    assert_eq!(no_such.status(), 404);

    let moderated = call(&app, Method::DELETE, &path, Some(&ann), None).await;
    assert_eq!(
        moderated.status(),
        200,
        "the post's author deletes comments under it"
    );
    let board = json_of(call(&app, Method::GET, "/api/posts", None, None).await).await;
    assert_eq!(board[0]["commentCount"], 0);
}

#[tokio::test]
async fn a_deleted_posts_thread_is_gone() {
    let (app, _data) = spawn_app().await;
    let ann = app.access_token("ann").await;
    let thread = post(&app, &ann).await;
    let last = comment(&app, &ann, &thread, "last words").await;

    let deleted = call(
        &app,
        Method::DELETE,
        &format!("/api/posts/{thread}"),
        Some(&ann),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 200);

    let thread_path = format!("/api/posts/{thread}/comments");
    assert_eq!(
        call(&app, Method::GET, &thread_path, None, None)
            .await
            .status(),
        404
    );
    let edit = format!("{thread_path}/{}", last["id"].as_str().unwrap());
    let edited = call(
        &app,
        Method::PUT,
        &edit,
        Some(&ann),
        Some(json!({"text": "x"})),
    )
    .await;
    assert_eq!(edited.status(), 404);
    let reply = call(
        &app,
        Method::POST,
        &thread_path,
        Some(&ann),
        Some(json!({"text": "x"})),
    )
    .await;
    assert_eq!(reply.status(), 404);
}

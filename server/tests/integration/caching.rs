//! Reads caches can serve: a post and the board's pages carry a strong `ETag` and their
//! `Cache-Control`; `If-None-Match` with the current tag is a bodiless 304; a write changes
//! the tag. And the local server compresses like CloudFront does.

use reqwest::{
    Response,
    header::{CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_NONE_MATCH},
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn get(app: &TestApp, path: &str, tag: Option<&str>) -> Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    if let Some(tag) = tag {
        request = request.header(IF_NONE_MATCH, tag);
    }
    request.send().await.unwrap()
}

fn tag_of(response: &Response) -> String {
    response.headers()[ETAG].to_str().unwrap().to_owned()
}

async fn write(app: &TestApp, token: &str, title: &str) -> Value {
    let response = app
        .client
        .post(format!("{}/api/posts", app.address))
        .bearer_auth(token)
        .json(&json!({"title": title, "content": "cached"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_post_is_revalidated_answers_304_while_unchanged_and_gets_a_new_tag_when_edited() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("cacher").await;
    let post = write(&app, &token, "Tagged").await;
    let path = format!("/api/posts/{}", post["id"].as_str().unwrap());

    let first = get(&app, &path, None).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()[CACHE_CONTROL], "public, no-cache");
    let tag = tag_of(&first);
    assert!(
        tag.starts_with('"') && !tag.starts_with("W/"),
        "strong: {tag}"
    );

    let again = get(&app, &path, Some(&tag)).await;
    assert_eq!(again.status(), 304);
    assert_eq!(tag_of(&again), tag);
    assert!(again.bytes().await.unwrap().is_empty());

    let edited = app
        .client
        .put(format!("{}{path}", app.address))
        .bearer_auth(&token)
        .json(&json!({"title": "Tagged again", "content": "cached", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 200);
    let after = get(&app, &path, Some(&tag)).await;
    assert_eq!(after.status(), 200);
    assert_ne!(tag_of(&after), tag);
    let body: Value = after.json().await.unwrap();
    assert_eq!(body["title"], "Tagged again");
}

#[tokio::test]
async fn the_boards_first_page_is_briefly_cacheable_and_a_new_post_changes_its_tag() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("boarder").await;
    for n in 0..3 {
        write(&app, &token, &format!("Post {n}")).await;
    }

    let front = get(&app, "/api/posts?limit=2", None).await;
    assert_eq!(
        front.headers()[CACHE_CONTROL],
        "public, max-age=5, stale-while-revalidate=30"
    );
    let cursor = front.headers()["x-next-cursor"]
        .to_str()
        .unwrap()
        .to_owned();
    let tag = tag_of(&front);

    // A repeated board read, as a browser or CloudFront revalidating would make it.
    let mut not_modified = 0;
    for _ in 0..20 {
        let repeat = get(&app, "/api/posts?limit=2", Some(&tag)).await;
        assert_eq!(repeat.headers()["x-next-cursor"], cursor.as_str());
        not_modified += u32::from(repeat.status() == 304);
    }
    assert_eq!(not_modified, 20);
    println!("304 rate for a repeated board read: {not_modified}/20");

    let later = get(&app, &format!("/api/posts?limit=2&cursor={cursor}"), None).await;
    assert_eq!(later.headers()[CACHE_CONTROL], "public, no-cache");
    assert!(later.headers().contains_key(ETAG));

    write(&app, &token, "Newest").await;
    let changed = get(&app, "/api/posts?limit=2", Some(&tag)).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(tag_of(&changed), tag);
}

#[tokio::test]
async fn responses_are_compressed_with_brotli_or_gzip_as_the_client_accepts() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("squeezer").await;
    for n in 0..10 {
        write(
            &app,
            &token,
            &format!("A post long enough to be worth compressing {n}"),
        )
        .await;
    }
    for (accepts, expected) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = app
            .client
            .get(format!("{}/api/posts", app.address))
            .header("accept-encoding", accepts)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let encoding = response
            .headers()
            .get(CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(encoding.as_deref(), expected, "{accepts}");
    }
}

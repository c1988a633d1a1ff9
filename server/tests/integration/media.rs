//! Pictures over REST on the real server: the upload form, the upload itself (to the local
//! stand-in for S3, or to moto's S3 in AWS mode), completion with every refusal the issue
//! names, profile pictures, and images in posts.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app, spawn_aws_media_app},
    media_store_contract::post_form,
    samples,
};

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

async fn json_of(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// The form for one upload.
async fn form(app: &TestApp, token: &str, purpose: &str, content_type: &str, size: usize) -> Value {
    let answer = call(
        app,
        Method::POST,
        "/api/media/uploads",
        token,
        Some(json!({"purpose": purpose, "contentType": content_type, "size": size})),
    )
    .await;
    assert_eq!(answer.status(), 201);
    json_of(answer).await
}

/// Posts `file` with `ticket`'s form, as the browser does.
async fn send_file(app: &TestApp, ticket: &Value, file: Vec<u8>) -> Response {
    let fields = serde_json::from_value(ticket["fields"].clone()).unwrap();
    post_form(&app.address, ticket["url"].as_str().unwrap(), &fields, file).await
}

async fn complete(app: &TestApp, token: &str, upload_id: &str) -> Response {
    let path = format!("/api/media/uploads/{upload_id}/complete");
    call(app, Method::POST, &path, token, None).await
}

/// Uploads and completes `file`, returning the picture.
async fn picture(app: &TestApp, token: &str, purpose: &str, file: Vec<u8>) -> Value {
    let ticket = form(app, token, purpose, "image/jpeg", file.len()).await;
    assert!(send_file(app, &ticket, file).await.status().is_success());
    let done = complete(app, token, ticket["uploadId"].as_str().unwrap()).await;
    assert_eq!(done.status(), 200);
    json_of(done).await
}

fn error_of(body: &Value) -> (&str, &str) {
    (
        body["code"].as_str().unwrap_or_default(),
        body["field"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_form_refuses_the_wrong_type_and_a_file_too_large() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("ann").await;

    for (content_type, size, status, code, field) in [
        (
            "text/html",
            100,
            415,
            "ERR_UNSUPPORTED_MEDIA_TYPE",
            "contentType",
        ),
        (
            "image/jpeg",
            10 * 1024 * 1024 + 1,
            413,
            "ERR_PAYLOAD_TOO_LARGE",
            "size",
        ),
        ("image/jpeg", 0, 400, "ERR_BAD_REQUEST", "size"),
    ] {
        let answer = call(
            &app,
            Method::POST,
            "/api/media/uploads",
            &token,
            Some(json!({"purpose": "post", "contentType": content_type, "size": size})),
        )
        .await;
        assert_eq!(answer.status(), status, "{content_type} {size}");
        assert_eq!(error_of(&json_of(answer).await), (code, field));
    }
    let anonymous = app
        .post_json(
            "/api/media/uploads",
            &json!({"purpose": "post", "contentType": "image/png", "size": 1}),
        )
        .await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_forged_key_is_refused_and_someone_elses_upload_is_404() {
    let (app, _data) = spawn_app().await;
    let ann = app.access_token("ann").await;
    let bob = app.access_token("bob").await;
    let file = samples::jpeg(64, 64);
    let ticket = form(&app, &ann, "post", "image/jpeg", file.len()).await;

    let mut forged = ticket.clone();
    let bobs_ticket = form(&app, &bob, "post", "image/jpeg", file.len()).await;
    forged["fields"]["key"] = bobs_ticket["fields"]["key"].clone();
    let into_bobs = send_file(&app, &forged, file.clone()).await;
    assert_eq!(into_bobs.status(), 403);

    assert_eq!(send_file(&app, &ticket, file).await.status(), 204);
    let by_bob = complete(&app, &bob, ticket["uploadId"].as_str().unwrap()).await;
    assert_eq!(by_bob.status(), 404);
    let bobs_own = complete(&app, &bob, bobs_ticket["uploadId"].as_str().unwrap()).await;
    assert_eq!(bobs_own.status(), 409, "nothing reached bob's key");
}

#[tokio::test]
async fn completing_twice_is_409_and_the_picture_is_served_immutable() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("ann").await;
    let file = samples::photo(2000, 1000);
    let ticket = form(&app, &token, "post", "image/jpeg", file.len()).await;
    send_file(&app, &ticket, file).await;
    let id = ticket["uploadId"].as_str().unwrap();

    let first = complete(&app, &token, id).await;
    let second = complete(&app, &token, id).await;

    assert_eq!(first.status(), 200);
    let picture = json_of(first).await;
    assert_eq!(
        (
            picture["large"]["width"].as_u64(),
            picture["large"]["height"].as_u64()
        ),
        (Some(1600), Some(800))
    );
    assert_eq!(second.status(), 409);
    let served = app.get(picture["large"]["url"].as_str().unwrap()).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/jpeg");
    assert_eq!(
        served.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(served.headers()["x-content-type-options"], "nosniff");
    let missing = app.get(&format!("/media/{}.jpg", "0".repeat(64))).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn an_html_file_named_png_and_a_decompression_bomb_are_refused() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("ann").await;

    let html = b"<!doctype html><script>alert(document.cookie)</script>".to_vec();
    let ticket = form(&app, &token, "post", "image/png", html.len()).await;
    send_file(&app, &ticket, html).await;
    let not_png = complete(&app, &token, ticket["uploadId"].as_str().unwrap()).await;
    assert_eq!(not_png.status(), 415);
    assert_eq!(
        error_of(&json_of(not_png).await),
        ("ERR_UNSUPPORTED_MEDIA_TYPE", "file")
    );

    for (bomb, content_type, claimed) in [
        (samples::png_bomb(), "image/png", "60000 × 60000"),
        (samples::jpeg_bomb(), "image/jpeg", "20000 × 20000"),
    ] {
        let ticket = form(&app, &token, "post", content_type, bomb.len()).await;
        send_file(&app, &ticket, bomb).await;
        let refused = complete(&app, &token, ticket["uploadId"].as_str().unwrap()).await;
        assert_eq!(refused.status(), 413);
        let body = json_of(refused).await;
        assert_eq!(error_of(&body), ("ERR_PAYLOAD_TOO_LARGE", "file"));
        assert!(body["error"].as_str().unwrap().contains(claimed), "{body}");
    }
}

#[tokio::test]
async fn a_photo_with_a_gps_position_is_served_without_it() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("ann").await;

    let picture = picture(
        &app,
        &token,
        "post",
        samples::jpeg_with_gps_exif(1200, 900, 1),
    )
    .await;

    for size in ["large", "small"] {
        let served = app
            .get(picture[size]["url"].as_str().unwrap())
            .await
            .bytes()
            .await
            .unwrap();
        let marker = samples::GPS_MARKER;
        assert!(!served.windows(marker.len()).any(|w| w == marker), "{size}");
        assert!(!served.windows(4).any(|w| w == b"Exif"), "{size}");
    }
}

#[tokio::test]
async fn a_profile_picture_shows_in_myinfo_and_beside_posts_until_removed() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("ann").await;
    let avatar = picture(&app, &token, "avatar", samples::jpeg(500, 300)).await;
    assert_eq!(avatar["large"]["width"], 256);

    let set = call(
        &app,
        Method::PUT,
        "/api/me/avatar",
        &token,
        Some(json!({"pictureId": avatar["id"]})),
    )
    .await;
    assert_eq!(set.status(), 200);
    let me = json_of(call(&app, Method::GET, "/api/myinfo", &token, None).await).await;
    assert_eq!(me["avatarUrl"], avatar["small"]["url"]);
    assert_eq!(me["avatarLargeUrl"], avatar["large"]["url"]);
    let post = json_of(
        call(
            &app,
            Method::POST,
            "/api/posts",
            &token,
            Some(json!({"title": "Hi", "content": "x"})),
        )
        .await,
    )
    .await;
    assert_eq!(post["avatarUrl"], avatar["small"]["url"]);

    let removed = call(&app, Method::DELETE, "/api/me/avatar", &token, None).await;
    assert_eq!(removed.status(), 204);
    let me = json_of(call(&app, Method::GET, "/api/myinfo", &token, None).await).await;
    assert_eq!(me["avatarUrl"], Value::Null);
    assert_eq!(
        app.get(avatar["small"]["url"].as_str().unwrap())
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn a_post_with_two_images_shows_them_in_order_and_old_clients_keep_working() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("ann").await;
    let first = picture(&app, &token, "post", samples::jpeg(800, 600)).await;
    let second = picture(&app, &token, "post", samples::jpeg(600, 800)).await;

    let created = call(
        &app,
        Method::POST,
        "/api/posts",
        &token,
        Some(json!({
            "title": "Two pictures",
            "content": "See below",
            "images": [
                {"pictureId": second["id"], "alt": "A tall one"},
                {"pictureId": first["id"], "alt": "A wide one"},
            ],
        })),
    )
    .await;
    assert_eq!(created.status(), 201);
    let post = json_of(created).await;
    let read = json_of(app.get("/api/posts/1").await).await;
    assert_eq!(read["images"], post["images"]);
    assert_eq!(read["images"][0]["pictureId"], second["id"]);
    assert_eq!(read["images"][0]["large"]["height"], 800);
    assert_eq!(read["images"][1]["alt"], "A wide one");

    // The reference client sends no images and knows no version: the images stay.
    let edited = call(
        &app,
        Method::PUT,
        "/api/posts/1",
        &token,
        Some(json!({"title": "Renamed", "content": "Same pictures"})),
    )
    .await;
    assert_eq!(edited.status(), 200);
    assert_eq!(json_of(edited).await["images"], post["images"]);

    let reused = call(
        &app,
        Method::POST,
        "/api/posts",
        &token,
        Some(json!({"title": "Again", "content": "x", "images": [{"pictureId": first["id"], "alt": "again"}]})),
    )
    .await;
    assert_eq!(reused.status(), 400);
    assert_eq!(
        error_of(&json_of(reused).await),
        ("ERR_BAD_REQUEST", "images")
    );
    let no_alt = call(
        &app,
        Method::POST,
        "/api/posts",
        &token,
        Some(json!({"title": "No alt", "content": "x", "images": [{"pictureId": first["id"]}]})),
    )
    .await;
    assert_eq!(no_alt.status(), 400);

    let deleted = call(&app, Method::DELETE, "/api/posts/1", &token, None).await;
    assert_eq!(deleted.status(), 200);
    assert_eq!(
        app.get(first["large"]["url"].as_str().unwrap())
            .await
            .status(),
        404
    );
}

/// The same journey in AWS mode: the form is a presigned S3 POST to moto's bucket, the
/// records are in DynamoDB. (CloudFront serves `/media/*` there, so the bytes are checked in
/// the bucket.)
#[tokio::test]
async fn in_aws_mode_an_upload_goes_to_s3_and_becomes_a_profile_picture() {
    let (app, _data, bucket) = spawn_aws_media_app().await;
    let token = app.cognito_access_token("ann").await;
    let file = samples::jpeg(640, 480);
    let ticket = form(&app, &token, "avatar", "image/jpeg", file.len()).await;
    assert!(
        ticket["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{}", bucket.name))
    );
    assert!(ticket["fields"]["x-amz-signature"].is_string());
    assert_eq!(ticket["fields"]["x-amz-algorithm"], "AWS4-HMAC-SHA256");

    assert!(send_file(&app, &ticket, file).await.status().is_success());
    let done = complete(&app, &token, ticket["uploadId"].as_str().unwrap()).await;
    assert_eq!(done.status(), 200);
    let picture = json_of(done).await;
    let set = call(
        &app,
        Method::PUT,
        "/api/me/avatar",
        &token,
        Some(json!({"pictureId": picture["id"]})),
    )
    .await;
    assert_eq!(set.status(), 200);

    let key = picture["large"]["url"]
        .as_str()
        .unwrap()
        .trim_start_matches('/');
    let stored = bucket
        .client
        .get_object()
        .bucket(&bucket.name)
        .key(key)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.content_type(), Some("image/jpeg"));
    let upload_key = ticket["fields"]["key"].as_str().unwrap();
    let upload_gone = bucket
        .client
        .head_object()
        .bucket(&bucket.name)
        .key(upload_key)
        .send()
        .await;
    assert!(upload_gone.is_err(), "the processed upload is deleted");
    let me = json_of(call(&app, Method::GET, "/api/myinfo", &token, None).await).await;
    assert_eq!(me["avatarUrl"], picture["small"]["url"]);
}

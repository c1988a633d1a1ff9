//! The second floor `make bench` measures Boardwalk's Lambda against: the hello world plus
//! exactly the AWS SDK calls a warm `GET /api/posts/{id}` makes (a consistent `GetItem` of
//! the post, a `BatchGetItem` of its author's avatar), answered with the item as JSON. What
//! this spends above `hello_lambda` is the SDK's own signing, HTTP and parsing; what
//! Boardwalk spends above this is its own routing, rules, logging and rendering.
//!
//! It reads the settings Boardwalk reads in aws mode (`BOARDWALK_AWS_ENDPOINT_URL`,
//! `BOARDWALK_POSTS_TABLE`, `BOARDWALK_MEDIA_TABLE`) and builds its SDK configuration with
//! Boardwalk's own `aws_sdk_config`, so both sign with the same credentials and region.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use lambda_http::{Body, Error, Request, RequestExt, Response, service_fn};

fn setting(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("{name} is not set").into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let endpoint = std::env::var("BOARDWALK_AWS_ENDPOINT_URL").ok();
    let config = server::adapters::aws_sdk_config(endpoint.as_deref()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let (posts, media) = (
        setting("BOARDWALK_POSTS_TABLE")?,
        setting("BOARDWALK_MEDIA_TABLE")?,
    );
    lambda_http::run(service_fn(|request: Request| {
        let (client, posts, media) = (&client, &posts, &media);
        async move {
            let id = request
                .path_parameters_ref()
                .and_then(|params| params.first("id"))
                .or_else(|| request.uri().path().rsplit('/').next())
                .unwrap_or("1")
                .to_owned();
            let post = client
                .get_item()
                .table_name(posts)
                .key("id", AttributeValue::N(id))
                .consistent_read(true)
                .send()
                .await?
                .item
                .unwrap_or_default();
            let author = post
                .get("userId")
                .and_then(|value| value.as_s().ok())
                .cloned()
                .unwrap_or_default();
            let avatar_key = HashMap::from([
                ("owner".to_owned(), AttributeValue::S(author)),
                ("item".to_owned(), AttributeValue::S("avatar".to_owned())),
            ]);
            client
                .batch_get_item()
                .request_items(
                    media,
                    KeysAndAttributes::builder()
                        .keys(avatar_key)
                        .consistent_read(true)
                        .build()?,
                )
                .send()
                .await?;
            let title = post
                .get("title")
                .and_then(|value| value.as_s().ok())
                .cloned()
                .unwrap_or_default();
            Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from(
                    serde_json::json!({ "title": title }).to_string(),
                ))
                .map_err(Error::from)
        }
    }))
    .await
}

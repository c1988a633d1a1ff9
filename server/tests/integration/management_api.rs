//! A loopback fake of the API Gateway Management API: moto accepts `PostToConnection` for any
//! id and keeps nothing a test can read, so tests that need to see what each connection
//! received, or a 410 Gone, post here instead.

use std::sync::{Arc, Mutex};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};

/// What the fake Management API received, per connection.
pub type Posted = Arc<Mutex<Vec<(String, String)>>>;

/// `POST …/@connections/{id}`: records the payload, or (recording `410`) answers 410 Gone
/// for ids that start with `gone-`, as API Gateway does for closed connections.
async fn post_to_connection(
    State(posted): State<Posted>,
    Path(path): Path<String>,
    body: Bytes,
) -> Response {
    let id = path.rsplit('/').next().unwrap_or_default().to_owned();
    if id.starts_with("gone-") {
        posted.lock().unwrap().push((id, "410".into()));
        return (
            StatusCode::GONE,
            [("x-amzn-errortype", "GoneException")],
            r#"{"message":"Gone"}"#,
        )
            .into_response();
    }
    posted
        .lock()
        .unwrap()
        .push((id, String::from_utf8_lossy(&body).into_owned()));
    StatusCode::OK.into_response()
}

/// The fake on a loopback port, and what it received.
pub async fn fake_management_api() -> (String, Posted) {
    let posted = Posted::default();
    let app = Router::new()
        .route("/{*path}", post(post_to_connection))
        .with_state(Arc::clone(&posted));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}/prod", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (address, posted)
}

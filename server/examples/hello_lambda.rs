//! The floor `make bench` measures Boardwalk's Lambda against: `lambda_http` answering every
//! API Gateway event with a fixed JSON body, nothing else. Whatever Boardwalk spends above
//! this per request is ours to explain.

use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_: Request| async {
        Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"hello":"world"}"#))
            .map_err(Error::from)
    }))
    .await
}

//! The OpenAPI document against the router it describes: every documented operation is
//! routed, every routed REST address and method is documented, the served document is the
//! generated one, and `docs/openapi.json` is what the code generates today.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use server::{
    configuration::Settings,
    http::openapi,
    ports::LOCAL_UPLOAD_PATH,
    startup::{build_router, build_state},
};

use crate::helpers::{fixture_site, spawn_app};

/// Routed addresses under `/api` that are not REST operations, each with why.
const NOT_REST: &[&str] = &[
    // The SPA's server functions, encoded by Leptos: not a contract for other clients.
    "/api/fn/{*fn_name}",
    "/api/auth/fn/{*fn_name}",
    // The JSON 404 for every unknown address.
    "/api",
    "/api/{*rest}",
    // The embedded default standing in for S3's form upload; on AWS the form goes to S3.
    LOCAL_UPLOAD_PATH,
];

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

/// Every `/api` path the router holds, read from its `Debug` form (axum's router lists its
/// paths there and offers no other way to enumerate them).
async fn routed_paths() -> BTreeSet<String> {
    let data = tempfile::tempdir().expect("temporary data directory");
    let settings = Settings::local(([127, 0, 0, 1], 0).into(), data.path(), fixture_site());
    let state = build_state(&settings).await.expect("state builds");
    let shown = format!("{:?}", build_router(state, &settings));
    shown
        .split('"')
        .filter(|piece| piece.starts_with("/api"))
        .map(str::to_owned)
        .collect()
}

/// The documented operations: path → methods.
fn documented() -> BTreeMap<String, BTreeSet<String>> {
    let document = serde_json::to_value(openapi::document()).expect("document serializes");
    document["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (*method).to_owned())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// A concrete address for a templated path: every `{parameter}` becomes `1`.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_routed_rest_path_is_documented_and_every_documented_path_is_routed() {
    let routed: BTreeSet<String> = routed_paths()
        .await
        .into_iter()
        .filter(|path| !NOT_REST.contains(&path.as_str()))
        .collect();
    let documented: BTreeSet<String> = documented().into_keys().collect();
    assert_eq!(
        routed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "routed but not documented"
    );
    assert_eq!(
        documented.difference(&routed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "documented but not routed"
    );
}

/// The method half, asked of the running server: a method it routes is anything but 405
/// (and never the unknown-address 404); a method it does not route is 405.
#[tokio::test]
async fn each_path_answers_exactly_the_documented_methods() {
    let (app, _data) = spawn_app().await;
    for (path, methods) in documented() {
        let address = format!("{}{}", app.address, concrete(&path));
        for method in METHODS {
            let response = app
                .client
                .request(
                    Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    &address,
                )
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("request reaches the server");
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            let unknown_address = body["error"] == "There is no API route at this address.";
            assert!(
                !unknown_address,
                "{method} {path}: the router does not know it"
            );
            assert_eq!(
                status == 405,
                !methods.contains(method),
                "{method} {path} answered {status}; documented methods are {methods:?}"
            );
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_served_document_is_the_generated_one_and_is_openapi_3_1() {
    let (app, _data) = spawn_app().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: serde_json::Value = response.json().await.unwrap();
    assert_eq!(served, serde_json::to_value(openapi::document()).unwrap());
    assert_eq!(served["openapi"], "3.1.0");
    app.stop().await;
}

#[test]
fn the_committed_document_is_what_the_code_generates() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"))
            .unwrap_or_default();
    assert!(
        committed == openapi::document_json(),
        "docs/openapi.json differs from the code's document: run `make openapi` and commit it"
    );
}

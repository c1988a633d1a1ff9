//! The SPA as the browser receives it: fallback, content types and cache headers.

use crate::helpers::{fixture_site, spawn_app};

const HASHED_SCRIPT: &str = "/frontend-0123456789abcdef.js";
const HASHED_WASM: &str = "/frontend-0123456789abcdef_bg.wasm";

#[tokio::test]
async fn the_root_serves_index_html_that_is_never_cached() {
    let (app, _data) = spawn_app().await;

    let response = app.get("/").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("boardwalk-fixture-index")
    );
}

#[tokio::test]
async fn client_side_routes_fall_back_to_index_html() {
    let (app, _data) = spawn_app().await;

    for path in ["/posts/42", "/login", "/anything/at/all"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("boardwalk-fixture-index")
        );
    }
}

#[tokio::test]
async fn a_missing_file_is_a_404_not_the_spa() {
    let (app, _data) = spawn_app().await;

    let response = app.get("/frontend-ffffffffffffffff.js").await;

    assert_eq!(response.status(), 404);
    assert!(
        !response
            .text()
            .await
            .unwrap()
            .contains("boardwalk-fixture-index")
    );
}

#[tokio::test]
async fn wasm_is_served_as_application_wasm_and_cached_for_a_year() {
    let (app, _data) = spawn_app().await;

    let response = app.get(HASHED_WASM).await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn hashed_scripts_are_immutable_javascript() {
    let (app, _data) = spawn_app().await;

    let response = app.get(HASHED_SCRIPT).await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn pages_and_api_answers_carry_the_production_security_headers() {
    let (app, _data) = spawn_app().await;

    for path in ["/", "/posts/42", "/api/health", "/api/unknown"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(
            headers["content-security-policy"],
            server::http::CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            headers["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
    }
}

#[test]
fn the_policy_forbids_inline_scripts_and_framing_but_lets_wasm_compile() {
    let policy = server::http::CONTENT_SECURITY_POLICY;
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval';"));
    assert!(!policy.contains("unsafe-inline"));
    assert!(policy.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn the_builds_brotli_copy_is_sent_to_a_browser_that_accepts_it() {
    let (app, _data) = spawn_app().await;
    let wasm = |encoding: &'static str| {
        app.client
            .get(format!("{}{HASHED_WASM}", app.address))
            .header("accept-encoding", encoding)
            .send()
    };

    let compressed = wasm("gzip, deflate, br").await.unwrap();
    assert_eq!(compressed.headers()["content-encoding"], "br");
    assert_eq!(compressed.headers()["content-type"], "application/wasm");
    let expected =
        std::fs::read(fixture_site().join("frontend-0123456789abcdef_bg.wasm.br")).unwrap();
    assert_eq!(compressed.bytes().await.unwrap(), expected);

    let plain = wasm("identity").await.unwrap();
    assert!(!plain.headers().contains_key("content-encoding"));
    let original = std::fs::read(fixture_site().join("frontend-0123456789abcdef_bg.wasm")).unwrap();
    assert_eq!(plain.bytes().await.unwrap(), original);
}

#[tokio::test]
async fn a_deep_link_gets_the_gzip_copy_of_index_html_and_revalidates_to_304() {
    let (app, _data) = spawn_app().await;
    let page = app
        .client
        .get(format!("{}/posts/7", app.address))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "gzip");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    let last_modified = page.headers()["last-modified"].clone();

    let again = app
        .client
        .get(format!("{}/", app.address))
        .header("if-modified-since", last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
}

//! The SPA's server functions over real HTTP: the same services as REST, reached through
//! `/api/fn/…` and, for the calls that touch the refresh cookie, `/api/auth/fn/…`.

use reqwest::{Response, header::SET_COOKIE};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_locked_down_refresh_cookie, spawn_app};

async fn body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

/// Calls a server function with a JSON body, a bearer token and a cookie as given.
async fn call(
    app: &TestApp,
    path: &str,
    args: Value,
    token: Option<&str>,
    cookie: Option<&str>,
) -> Response {
    let mut request = app
        .client
        .post(format!("{}{path}", app.address))
        .json(&args);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

fn cookie_pair(response: &Response) -> String {
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn sign_up_confirm_and_log_in_through_server_functions_set_the_locked_down_cookie() {
    let (app, _data) = spawn_app().await;
    let signup =
        json!({"request": {"username": "nora", "password": PASSWORD, "email": "nora@example.com"}});
    assert_eq!(
        call(&app, "/api/fn/sign_up", signup, None, None)
            .await
            .status(),
        200
    );
    let code = app.latest_code("nora").await;
    let confirm = json!({"request": {"username": "nora", "code": code}});
    assert_eq!(
        call(&app, "/api/fn/confirm_email", confirm, None, None)
            .await
            .status(),
        200
    );

    let login = json!({"request": {"username": "nora", "password": PASSWORD}});
    let logged_in = call(&app, "/api/auth/fn/log_in", login, None, None).await;

    assert_eq!(logged_in.status(), 200);
    assert_locked_down_refresh_cookie(logged_in.headers()[SET_COOKIE].to_str().unwrap());
    let tokens = body(logged_in).await;
    assert!(tokens["accessToken"].is_string());
    assert!(tokens.get("refreshToken").is_none());
}

#[tokio::test]
async fn refresh_rotates_the_cookie_and_without_one_answers_null() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("omar").await;
    let first = cookie_pair(&app.log_in("omar", PASSWORD).await);

    let anonymous = call(&app, "/api/auth/fn/refresh", json!({}), None, None).await;
    assert_eq!(anonymous.status(), 200);
    assert!(anonymous.headers().get(SET_COOKIE).is_none());
    assert_eq!(body(anonymous).await, Value::Null);

    let refreshed = call(&app, "/api/auth/fn/refresh", json!({}), None, Some(&first)).await;
    assert_eq!(refreshed.status(), 200);
    assert_ne!(cookie_pair(&refreshed), first);
    assert!(body(refreshed).await["accessToken"].is_string());
}

#[tokio::test]
async fn log_out_clears_the_cookie_and_ends_the_session() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("pia").await;
    let cookie = cookie_pair(&app.log_in("pia", PASSWORD).await);

    let logged_out = call(&app, "/api/auth/fn/log_out", json!({}), None, Some(&cookie)).await;

    assert_eq!(logged_out.status(), 200);
    assert!(
        logged_out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = call(&app, "/api/auth/fn/refresh", json!({}), None, Some(&cookie)).await;
    assert_eq!(after.status(), 401);
}

#[tokio::test]
async fn the_cookie_functions_refuse_a_foreign_origin() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("quin").await;
    let cookie = cookie_pair(&app.log_in("quin", PASSWORD).await);

    for path in [
        "/api/auth/fn/refresh",
        "/api/auth/fn/log_out",
        "/api/auth/fn/log_in",
    ] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .header("cookie", &cookie)
            .header("origin", "https://evil.example.net")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        assert_eq!(body(response).await["code"], "ERR_FORBIDDEN");
    }
}

#[tokio::test]
async fn my_info_needs_the_bearer_token() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("rosa").await;

    let anonymous = call(&app, "/api/fn/my_info", json!({}), None, None).await;
    let forged = call(&app, "/api/fn/my_info", json!({}), Some("not.a.jwt"), None).await;
    let signed_in = call(&app, "/api/fn/my_info", json!({}), Some(&token), None).await;

    assert_eq!(anonymous.status(), 401);
    assert_eq!(body(anonymous).await["code"], "ERR_UNAUTHORIZED");
    assert_eq!(forged.status(), 401);
    assert_eq!(signed_in.status(), 200);
    assert_eq!(body(signed_in).await["username"], "rosa");
}

#[tokio::test]
async fn posts_are_written_read_listed_edited_and_deleted_through_server_functions() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("sami").await;
    let create = |title: &str| json!({"request": {"title": title, "content": "Hello"}});

    let created = call(
        &app,
        "/api/fn/create_post",
        create("First"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(created.status(), 200);
    let post = body(created).await;
    assert_eq!(
        (post["id"].as_str(), post["userName"].as_str()),
        (Some("1"), Some("sami"))
    );

    let read = call(&app, "/api/fn/get_post", json!({"id": "1"}), None, None).await;
    assert_eq!(body(read).await, post);
    let page = body(call(&app, "/api/fn/list_posts", json!({}), None, None).await).await;
    assert_eq!(page, json!({"posts": [post], "nextCursor": null}));

    let edit = |version: u64| json!({"id": "1", "request": {"title": "Edited", "content": "c", "version": version}});
    let edited = call(&app, "/api/fn/update_post", edit(1), Some(&token), None).await;
    assert_eq!(body(edited).await["version"], 2);
    let stale = call(&app, "/api/fn/update_post", edit(1), Some(&token), None).await;
    assert_eq!(stale.status(), 409);
    assert_eq!(body(stale).await["current"]["version"], 2);

    let deleted = call(
        &app,
        "/api/fn/delete_post",
        json!({"id": "1"}),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(deleted.status(), 200);
    let gone = call(&app, "/api/fn/get_post", json!({"id": "1"}), None, None).await;
    assert_eq!(gone.status(), 404);
}

#[tokio::test]
async fn writing_through_a_server_function_needs_a_token_and_valid_fields() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("tara").await;

    let anonymous = call(
        &app,
        "/api/fn/create_post",
        json!({"request": {"title": "t", "content": "c"}}),
        None,
        None,
    )
    .await;
    let empty_title = call(
        &app,
        "/api/fn/create_post",
        json!({"request": {"title": " ", "content": "c"}}),
        Some(&token),
        None,
    )
    .await;
    let strangers = app.access_token("ugo").await;
    call(
        &app,
        "/api/fn/create_post",
        json!({"request": {"title": "mine", "content": "c"}}),
        Some(&token),
        None,
    )
    .await;
    let not_yours = call(
        &app,
        "/api/fn/delete_post",
        json!({"id": "1"}),
        Some(&strangers),
        None,
    )
    .await;

    assert_eq!(anonymous.status(), 401);
    assert_eq!(empty_title.status(), 400);
    assert_eq!(body(empty_title).await["field"], "title");
    assert_eq!(not_yours.status(), 403);
}

//! The account REST contract end to end on the local identity provider: sign-up, the emailed
//! code, log-in, the refresh cookie, refresh, log-out, and what each refuses.

use reqwest::{Response, header::SET_COOKIE};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_locked_down_refresh_cookie, spawn_app};

async fn body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn sign_up(app: &TestApp, username: &str) -> Response {
    app.post_json(
        "/api/auth/signup",
        &json!({"username": username, "password": PASSWORD, "email": format!("{}@example.com", username.to_lowercase())}),
    )
    .await
}

fn refresh_cookie(response: &Response) -> String {
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

async fn post_with_cookie(
    app: &TestApp,
    path: &str,
    cookie: &str,
    extra: &[(&str, &str)],
) -> Response {
    let mut request = app
        .client
        .post(format!("{}{path}", app.address))
        .header("cookie", cookie);
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn sign_up_confirm_log_in_and_read_my_info() {
    let (app, _data) = spawn_app().await;

    let signed_up = sign_up(&app, "Alice").await;
    assert_eq!(signed_up.status(), 200);
    assert!(
        body(signed_up).await["message"]
            .as_str()
            .unwrap()
            .contains("code")
    );

    let mails = body(app.get("/api/dev/mailbox/alice").await).await;
    let mail = &mails[0];
    assert_eq!(mail["to"], "alice@example.com");
    assert!(
        mail["body"]
            .as_str()
            .unwrap()
            .contains(mail["code"].as_str().unwrap())
    );

    let code = app.latest_code("alice").await;
    let confirmed = app
        .post_json(
            "/api/auth/confirmEmail",
            &json!({"username": "alice", "code": code}),
        )
        .await;
    assert_eq!(confirmed.status(), 200);

    let logged_in = app.log_in("alice", PASSWORD).await;
    assert_eq!(logged_in.status(), 200);
    assert_locked_down_refresh_cookie(logged_in.headers()[SET_COOKIE].to_str().unwrap());
    let tokens = body(logged_in).await;
    assert_eq!(tokens["expiresIn"], 900);
    assert!(
        tokens.get("refreshToken").is_none(),
        "the refresh token never goes in a body"
    );
    let access = tokens["accessToken"].as_str().unwrap();

    let me = app
        .client
        .get(format!("{}/api/myinfo", app.address))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me = body(me).await;
    assert_eq!(me["username"], "alice");
    assert_eq!(me["email"], "alice@example.com");
    assert_eq!(me["email_verified"], true);
    assert_eq!(me["sub"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn my_info_without_or_with_a_forged_token_is_401() {
    let (app, _data) = spawn_app().await;

    let anonymous = app.get("/api/myinfo").await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(body(anonymous).await["code"], "ERR_UNAUTHORIZED");

    let forged = app
        .client
        .get(format!("{}/api/myinfo", app.address))
        .bearer_auth("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("bob").await;

    let wrong_password = app.log_in("bob", "Wrong1Password").await;
    let unknown_user = app.log_in("nobody", PASSWORD).await;
    let impossible_name = app.log_in("x", PASSWORD).await;

    assert_eq!(wrong_password.status(), 401);
    assert_eq!(unknown_user.status(), 401);
    assert_eq!(impossible_name.status(), 401);
    let expected = body(wrong_password).await;
    assert_eq!(body(unknown_user).await, expected);
    assert_eq!(body(impossible_name).await, expected);
}

#[tokio::test]
async fn confirm_and_resend_do_not_reveal_whether_a_user_exists() {
    let (app, _data) = spawn_app().await;
    assert_eq!(sign_up(&app, "carol").await.status(), 200);

    let wrong_code = app
        .post_json(
            "/api/auth/confirmEmail",
            &json!({"username": "carol", "code": "000000"}),
        )
        .await;
    let unknown_user = app
        .post_json(
            "/api/auth/confirmEmail",
            &json!({"username": "nobody", "code": "000000"}),
        )
        .await;
    assert_eq!(wrong_code.status(), 400);
    assert_eq!(unknown_user.status(), 400);
    let expected = body(wrong_code).await;
    assert_eq!(expected["field"], "code");
    assert_eq!(body(unknown_user).await, expected);

    let resend_unknown = app
        .post_json("/api/auth/resendEmail", &json!({"username": "nobody"}))
        .await;
    assert_eq!(resend_unknown.status(), 200);
}

#[tokio::test]
async fn an_unconfirmed_account_cannot_log_in_until_confirmed() {
    let (app, _data) = spawn_app().await;
    assert_eq!(sign_up(&app, "dave").await.status(), 200);

    let early = app.log_in("dave", PASSWORD).await;

    assert_eq!(early.status(), 403);
    assert_eq!(body(early).await["code"], "ERR_NOT_CONFIRMED");
}

#[tokio::test]
async fn a_resend_answers_alike_for_an_unconfirmed_account_within_its_cool_down_and_for_nobody() {
    let (app, _data) = spawn_app().await;
    assert_eq!(sign_up(&app, "erin").await.status(), 200);

    let too_soon = app
        .post_json("/api/auth/resendEmail", &json!({"username": "erin"}))
        .await;
    let nobody = app
        .post_json("/api/auth/resendEmail", &json!({"username": "nobody"}))
        .await;

    assert_eq!(too_soon.status(), 200);
    assert_eq!(nobody.status(), 200);
    assert!(too_soon.headers().get("retry-after").is_none());
    assert_eq!(body(too_soon).await, body(nobody).await);
    let mails = body(app.get("/api/dev/mailbox/erin").await).await;
    assert_eq!(
        mails.as_array().unwrap().len(),
        1,
        "no second code inside the cool-down"
    );
}

#[tokio::test]
async fn sign_up_errors_name_the_field_and_lose_nothing() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("frank").await;

    let cases = [
        (
            json!({"username": "a", "password": PASSWORD, "email": "a@example.com"}),
            400,
            "username",
        ),
        (
            json!({"username": "gina", "password": "short", "email": "g@example.com"}),
            400,
            "password",
        ),
        (
            json!({"username": "gina", "password": PASSWORD, "email": "nope"}),
            400,
            "email",
        ),
        (
            json!({"username": "FRANK", "password": PASSWORD, "email": "f@example.com"}),
            409,
            "username",
        ),
    ];
    for (request, status, field) in cases {
        let response = app.post_json("/api/auth/signup", &request).await;
        assert_eq!(response.status(), status, "{request}");
        assert_eq!(body(response).await["field"], field, "{request}");
    }
    assert_eq!(app.log_in("frank", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn json_endpoints_refuse_text_and_forms_with_415_and_bad_json_with_400() {
    let (app, _data) = spawn_app().await;

    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = app
            .client
            .post(format!("{}/api/auth/login", app.address))
            .header("content-type", content_type)
            .body(r#"{"username":"a","password":"b"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{content_type}");
        assert_eq!(body(response).await["code"], "ERR_UNSUPPORTED_MEDIA_TYPE");
    }

    let missing_field = app
        .post_json("/api/auth/login", &json!({"username": "a"}))
        .await;
    assert_eq!(missing_field.status(), 400);
    assert!(
        body(missing_field).await["error"]
            .as_str()
            .unwrap()
            .contains("password")
    );
}

#[tokio::test]
async fn refresh_rotates_the_cookie_and_log_out_ends_the_session() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("hana").await;
    let first = refresh_cookie(&app.log_in("hana", PASSWORD).await);

    let refreshed = post_with_cookie(&app, "/api/auth/refresh", &first, &[]).await;
    assert_eq!(refreshed.status(), 200);
    let second = refresh_cookie(&refreshed);
    assert_ne!(first, second, "refresh tokens rotate on every use");
    assert!(body(refreshed).await["accessToken"].is_string());

    // Another tab still holding the first cookie, within the grace period: still fine.
    let other_tab = post_with_cookie(&app, "/api/auth/refresh", &first, &[]).await;
    assert_eq!(other_tab.status(), 200);

    let logged_out = post_with_cookie(&app, "/api/auth/logout", &second, &[]).await;
    assert_eq!(logged_out.status(), 200);
    assert!(
        logged_out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );

    for cookie in [&first, &second] {
        let after = post_with_cookie(&app, "/api/auth/refresh", cookie, &[]).await;
        assert_eq!(
            after.status(),
            401,
            "a revoked session stops refreshing at once"
        );
    }
}

#[tokio::test]
async fn refresh_without_or_with_a_bad_cookie_is_401() {
    let (app, _data) = spawn_app().await;

    let none = app
        .client
        .post(format!("{}/api/auth/refresh", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    for cookie in [
        "boardwalk_refresh=garbage",
        "boardwalk_refresh=sub:not-a-real-token",
    ] {
        let bad = post_with_cookie(&app, "/api/auth/refresh", cookie, &[]).await;
        assert_eq!(bad.status(), 401, "{cookie}");
    }
}

#[tokio::test]
async fn log_out_works_without_an_access_token_and_without_a_cookie() {
    let (app, _data) = spawn_app().await;

    let response = app
        .client
        .post(format!("{}/api/auth/logout", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}

#[tokio::test]
async fn cookie_calls_from_a_foreign_origin_are_refused() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("ivan").await;
    let cookie = refresh_cookie(&app.log_in("ivan", PASSWORD).await);

    for headers in [
        vec![("origin", "https://evil.example.net")],
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example.net"),
        ],
        vec![("sec-fetch-site", "same-site")],
    ] {
        for path in ["/api/auth/refresh", "/api/auth/logout"] {
            let response = post_with_cookie(&app, path, &cookie, &headers).await;
            assert_eq!(response.status(), 403, "{path} {headers:?}");
            assert_eq!(body(response).await["code"], "ERR_FORBIDDEN");
        }
    }

    let own_origin = app.address.clone();
    let same_origin = post_with_cookie(
        &app,
        "/api/auth/refresh",
        &cookie,
        &[("origin", &own_origin)],
    )
    .await;
    assert_eq!(same_origin.status(), 200);
}

#[tokio::test]
async fn aws_mode_has_no_dev_mailbox() {
    let data_dir = tempfile::tempdir().unwrap();
    let app = crate::helpers::spawn_aws_app(data_dir.path(), "unused", "unused").await;

    assert_eq!(body(app.get("/api/health").await).await["mode"], "aws");
    let mailbox = app.get("/api/dev/mailbox/alice").await;
    assert_eq!(mailbox.status(), 404);
    assert_eq!(body(mailbox).await["code"], "ERR_NOT_FOUND");
}

//! What an attacker tries, over the real server: guessing passwords and codes, flooding
//! hashes, probing for accounts, DNS rebinding, odd paths and parameters, planted cookies,
//! foreign origins. Each case failed before the hardening it covers.

use reqwest::{Method, Response, StatusCode, header::SET_COOKIE};
use serde_json::{Value, json};
use server::configuration::{AttemptBudget, Origin};

use crate::helpers::{PASSWORD, TestApp, spawn_app, spawn_app_with};

async fn body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

fn retry_after(response: &Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn cookie_pair(response: &Response) -> String {
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn one_address_gets_its_burst_of_account_attempts_then_429_on_every_surface() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_app_with(data.path(), |settings| {
        settings.auth_attempts = AttemptBudget {
            per_hour: 120,
            burst: 3,
        };
    })
    .await;
    let guess = json!({"username": "victim", "password": "Guess1Password"});

    for _ in 0..3 {
        assert_eq!(app.post_json("/api/auth/login", &guess).await.status(), 401);
    }
    let rest = app.post_json("/api/auth/login", &guess).await;
    let server_fn = app
        .post_json("/api/auth/fn/log_in", &json!({"request": guess}))
        .await;
    let sign_up = app
        .post_json(
            "/api/auth/signup",
            &json!({"username": "flood", "password": PASSWORD, "email": "f@example.com"}),
        )
        .await;

    for response in [rest, server_fn, sign_up] {
        assert_eq!(response.status(), 429);
        assert!((1..=30).contains(&retry_after(&response)));
        assert_eq!(body(response).await["code"], "ERR_THROTTLED");
    }
    assert_eq!(
        app.get("/api/posts").await.status(),
        200,
        "reading is not an attempt"
    );
}

#[tokio::test]
async fn five_wrong_passwords_lock_a_name_whether_or_not_it_exists() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("vera").await;

    for name in ["vera", "nobody"] {
        for _ in 0..5 {
            assert_eq!(app.log_in(name, "Wrong1Password").await.status(), 401);
        }
    }
    let right_password_too_late = app.log_in("vera", PASSWORD).await;
    let unknown = app.log_in("nobody", PASSWORD).await;

    assert_eq!(right_password_too_late.status(), 429);
    assert_eq!(unknown.status(), 429);
    assert!(retry_after(&right_password_too_late) >= 1);
    assert_eq!(body(right_password_too_late).await, body(unknown).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_of_log_ins_is_turned_away_with_503_instead_of_hashing_them_all() {
    let (app, _data) = spawn_app().await;
    let client = app.client.clone();
    let url = format!("{}/api/auth/login", app.address);

    let attempts = (0..300).map(|n| {
        let (client, url) = (client.clone(), url.clone());
        tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"username": format!("user{n}"), "password": "Guess1Password"}))
                .send()
                .await
                .unwrap()
        })
    });
    let responses = futures::future::join_all(attempts).await;

    let mut busy = 0;
    for response in responses {
        let response = response.unwrap();
        match response.status() {
            StatusCode::UNAUTHORIZED => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(retry_after(&response) >= 1);
                busy += 1;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "the hashing queue is bounded");
}

#[tokio::test]
async fn a_host_name_the_server_does_not_answer_for_is_refused_everywhere() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("wes").await;
    let port = app.address.rsplit(':').next().unwrap().to_owned();

    for path in ["/api/dev/mailbox/wes", "/", "/api/health"] {
        let rebound = app
            .client
            .get(format!("{}{path}", app.address))
            .header("host", format!("attacker.example:{port}"))
            .send()
            .await
            .unwrap();
        assert_eq!(rebound.status(), 421, "{path}");
        assert_eq!(body(rebound).await["code"], "ERR_MISDIRECTED_REQUEST");
    }
    let by_name = app
        .client
        .get(format!("{}/api/dev/mailbox/wes", app.address))
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.status(), 200);
}

#[tokio::test]
async fn the_dev_mailbox_exists_only_on_a_loopback_bind() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = server::configuration::Settings::local(
        ([0, 0, 0, 0], 3999).into(),
        data.path(),
        crate::helpers::fixture_site(),
    );
    let public = server::startup::build_state(&settings).await.unwrap();
    settings.addr = ([127, 0, 0, 1], 3999).into();
    let data2 = tempfile::tempdir().unwrap();
    if let server::configuration::Backend::Local { data_dir, .. } = &mut settings.backend {
        *data_dir = data2.path().to_owned();
    }
    let loopback = server::startup::build_state(&settings).await.unwrap();

    assert!(public.dev_mailbox.is_none());
    assert!(loopback.dev_mailbox.is_some());
}

#[tokio::test]
async fn a_path_segment_longer_than_any_file_name_is_a_404_not_a_500() {
    let (app, _data) = spawn_app().await;

    for path in [
        format!("/{}", "a".repeat(301)),
        format!("/{}.js", "b".repeat(300)),
    ] {
        assert_eq!(app.get(&path).await.status(), 404);
    }
}

#[tokio::test]
async fn bad_path_and_query_parameters_answer_in_the_error_shape_naming_them() {
    let (app, _data) = spawn_app().await;

    for (path, field) in [
        ("/api/posts/%ff", "id"),
        ("/api/posts?limit=1&limit=2", "limit"),
        ("/api/dev/mailbox/%ff%fe", "username"),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 400, "{path}");
        let error = body(response).await;
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some("ERR_BAD_REQUEST"), Some(field)),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_oversized_server_function_body_is_413() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("xena").await;

    let huge = json!({"request": {"title": "t", "content": "x".repeat(3 * 1024 * 1024)}});
    let response = app
        .client
        .post(format!("{}/api/fn/create_post", app.address))
        .bearer_auth(token)
        .json(&huge)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 413);
    assert_eq!(body(response).await["code"], "ERR_PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_stale_edit_of_the_longest_post_round_trips_as_a_409_through_a_server_function() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("yuri").await;
    let longest = "🎉".repeat(20_000);
    let call = |path: &'static str, args: Value| {
        app.client
            .post(format!("{}{path}", app.address))
            .bearer_auth(&token)
            .json(&args)
            .send()
    };
    call(
        "/api/fn/create_post",
        json!({"request": {"title": "Long", "content": longest}}),
    )
    .await
    .unwrap();
    let edit = json!({"id": "1", "request": {"title": "Long", "content": longest, "version": 1}});
    call("/api/fn/update_post", edit.clone()).await.unwrap();

    let stale = call("/api/fn/update_post", edit).await.unwrap();

    assert_eq!(stale.status(), 409);
    let error = body(stale).await;
    assert_eq!(error["current"]["version"], 2);
    assert_eq!(
        error["current"]["content"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        20_000
    );
}

async fn refresh_from(app: &TestApp, cookie: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = app
        .client
        .request(Method::POST, format!("{}/api/auth/refresh", app.address))
        .header("cookie", cookie);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn without_fetch_metadata_the_origin_must_match_scheme_host_and_port() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("zack").await;
    let cookie = cookie_pair(&app.log_in("zack", PASSWORD).await);
    let https_twin = app.address.replacen("http://", "https://", 1);

    let other_scheme = refresh_from(&app, &cookie, &[("origin", &https_twin)]).await;
    let same = refresh_from(&app, &cookie, &[("origin", &app.address)]).await;

    assert_eq!(other_scheme.status(), 403);
    assert_eq!(same.status(), 200);
}

#[tokio::test]
async fn behind_a_proxy_the_configured_public_origin_is_the_sites_origin() {
    let data = tempfile::tempdir().unwrap();
    let app = spawn_app_with(data.path(), |settings| {
        settings.public_origin = Some(Origin::parse("https://board.example.com").unwrap());
    })
    .await;
    app.confirmed_user("abby").await;
    let cookie = cookie_pair(&app.log_in("abby", PASSWORD).await);

    let from_site = refresh_from(&app, &cookie, &[("origin", "https://board.example.com")]).await;
    assert_eq!(from_site.status(), 200);
    let cookie = cookie_pair(&from_site);
    let from_host = refresh_from(&app, &cookie, &[("origin", &app.address)]).await;
    assert_eq!(from_host.status(), 403);
}

#[tokio::test]
async fn a_planted_second_refresh_cookie_is_never_picked_and_log_out_ends_both() {
    let (app, _data) = spawn_app().await;
    app.confirmed_user("bram").await;
    app.confirmed_user("mallory").await;
    let victim = cookie_pair(&app.log_in("bram", PASSWORD).await);
    let planted = cookie_pair(&app.log_in("mallory", PASSWORD).await);
    let both = format!("{planted}; {victim}");

    let refused = refresh_from(&app, &both, &[]).await;
    assert_eq!(refused.status(), 401);

    let logged_out = app
        .client
        .post(format!("{}/api/auth/logout", app.address))
        .header("cookie", &both)
        .send()
        .await
        .unwrap();
    assert_eq!(logged_out.status(), 200);
    assert!(
        logged_out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    for cookie in [&victim, &planted] {
        assert_eq!(refresh_from(&app, cookie, &[]).await.status(), 401);
    }
}

#[tokio::test]
async fn titles_with_nul_bidi_overrides_or_nothing_visible_are_refused_by_field() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("cleo").await;

    for title in ["nul\u{0}here", "gnp.\u{202E}exe", "\u{200B}\u{200B}"] {
        let response = app
            .client
            .post(format!("{}/api/posts", app.address))
            .bearer_auth(&token)
            .json(&json!({"title": title, "content": "c"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{title:?}");
        assert_eq!(body(response).await["field"], "title");
    }
}

#[tokio::test]
async fn an_overlong_or_odd_client_request_id_is_replaced_not_echoed() {
    let (app, _data) = spawn_app().await;

    for sent in ["x".repeat(65), "two words".to_owned()] {
        let response = app
            .client
            .get(format!("{}/api/health", app.address))
            .header("x-request-id", &sent)
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert_ne!(id, sent);
        assert_eq!(id.len(), 36, "a fresh UUID, got {id}");
    }
}

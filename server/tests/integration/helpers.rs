//! Starts the real server on `127.0.0.1:0` with a temporary data directory and the fixture
//! site, and stops it when the test drops it.

use std::{net::SocketAddr, path::Path};

use server::{
    configuration::{AttemptBudget, AwsSettings, Backend, Settings},
    startup::Application,
};
use tempfile::TempDir;
use tokio::{sync::oneshot, task::JoinHandle};

/// The fixture SPA: an `index.html` and two assets named the way trunk names them.
pub fn fixture_site() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/integration/fixtures/site"
    ))
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub address: String,
    /// A client that does not follow redirects, so tests see exactly what the server sent.
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// Starts a server with a fresh data directory, returned so the test can restart on it.
pub async fn spawn_app() -> (TestApp, TempDir) {
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let app = spawn_app_in(data_dir.path()).await;
    (app, data_dir)
}

/// Starts a server on the data already in `data_dir`.
pub async fn spawn_app_in(data_dir: &Path) -> TestApp {
    spawn_app_with(data_dir, |_| {}).await
}

/// Starts a server in AWS mode with every AWS client aimed at moto and the given table
/// names (which moto may not have, to make the store fail).
pub async fn spawn_aws_app(data_dir: &Path, counters_table: &str, posts_table: &str) -> TestApp {
    spawn_app_with(data_dir, |settings| {
        settings.backend = Backend::Aws(Box::new(AwsSettings {
            counters_table: counters_table.into(),
            posts_table: posts_table.into(),
            comments_table: "unused-comments".into(),
            chat_table: "unused-chat".into(),
            live_table: "unused-live".into(),
            media_table: "unused-media".into(),
            media_bucket: "unused-media".into(),
            websocket_url: "wss://unused.example/prod".into(),
            websocket_endpoint: crate::moto::moto().endpoint.clone(),
            user_pool_id: "us-east-1_unused".into(),
            user_pool_client_id: "unused".into(),
            user_pool_client_secret: None,
            refresh_token_days: 30,
            token_issuer: None,
            jwks_url: None,
            endpoint_url: Some(crate::moto::moto().endpoint.clone()),
            origin_verify_secret: None,
            flags_url: None,
        }));
    })
    .await
}

/// Moto's bucket an AWS-mode app keeps pictures in.
pub struct Bucket {
    /// Its name.
    pub name: String,
    /// A client to look inside it.
    pub client: aws_sdk_s3::Client,
}

/// Starts a server in AWS mode entirely on moto: a user pool (tokens verified against the
/// JWKS moto serves), and the post, counter, media tables and media bucket.
pub async fn spawn_aws_media_app() -> (TestApp, TempDir, Bucket) {
    use crate::moto::{
        create_bucket, create_counters_table, create_media_table, create_posts_table,
        create_user_pool, moto, sdk_config, unique_table,
    };
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let (counters, posts, media, bucket) = (
        unique_table("counters"),
        unique_table("posts"),
        unique_table("media"),
        unique_table("media"),
    );
    create_counters_table(&dynamodb, &counters).await;
    create_posts_table(&dynamodb, &posts).await;
    create_media_table(&dynamodb, &media).await;
    let client = create_bucket(&bucket).await;
    let pool = create_user_pool(false).await;
    let endpoint = moto().endpoint.clone();
    let data_dir = tempfile::tempdir().expect("temporary data directory");
    let app = spawn_app_with(data_dir.path(), |settings| {
        settings.backend = Backend::Aws(Box::new(AwsSettings {
            counters_table: counters,
            posts_table: posts,
            comments_table: "unused-comments".into(),
            chat_table: "unused-chat".into(),
            live_table: "unused-live".into(),
            media_table: media,
            media_bucket: bucket.clone(),
            websocket_url: "wss://unused.example/prod".into(),
            websocket_endpoint: endpoint.clone(),
            user_pool_id: pool.pool_id.clone(),
            user_pool_client_id: pool.client_id,
            user_pool_client_secret: None,
            refresh_token_days: 30,
            token_issuer: None,
            jwks_url: Some(format!("{endpoint}/{}/.well-known/jwks.json", pool.pool_id)),
            endpoint_url: Some(endpoint.clone()),
            origin_verify_secret: None,
            flags_url: None,
        }));
    })
    .await;
    (
        app,
        data_dir,
        Bucket {
            name: bucket,
            client,
        },
    )
}

/// Starts a server on `data_dir` with settings the test adjusts first.
pub async fn spawn_app_with(data_dir: &Path, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings::local(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir,
        fixture_site(),
    );
    // Every test client shares one loopback address and makes more account attempts than
    // a person would; the budget's own tests lower it again.
    settings.auth_attempts = AttemptBudget {
        per_hour: 1_000_000,
        burst: 100_000,
    };
    adjust(&mut settings);
    let application = Application::build(&settings).await.expect("server builds");
    let address = format!(
        "http://{}",
        application.local_addr().expect("bound address")
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        application
            .run_until(async {
                let _ = stopped.await;
            })
            .await
            .expect("server runs");
    });
    TestApp {
        address,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client"),
        stop: Some(stop),
        server: Some(server),
    }
}

/// Checks a `Set-Cookie` value carries every attribute the token rules demand of the
/// refresh cookie.
pub fn assert_locked_down_refresh_cookie(set_cookie: &str) {
    for attribute in [
        "boardwalk_refresh=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/api/auth",
        "Max-Age=",
    ] {
        assert!(
            set_cookie.contains(attribute),
            "{set_cookie} lacks {attribute}"
        );
    }
}

/// The password every test account uses.
pub const PASSWORD: &str = "Correct1Horse";

impl TestApp {
    /// The newest confirmation code in the local dev mailbox.
    pub async fn latest_code(&self, username: &str) -> String {
        let mails: serde_json::Value = self
            .get(&format!("/api/dev/mailbox/{username}"))
            .await
            .json()
            .await
            .expect("a JSON mailbox");
        mails.as_array().and_then(|m| m.last()).expect("a message")["code"]
            .as_str()
            .expect("a code")
            .to_owned()
    }

    /// `POST /api/auth/signup` for `username` with the test password, succeeding.
    async fn signed_up(&self, username: &str) {
        let signed_up = self
            .post_json(
                "/api/auth/signup",
                &serde_json::json!({
                    "username": username,
                    "password": PASSWORD,
                    "email": format!("{}@example.com", username.to_lowercase()),
                }),
            )
            .await;
        assert_eq!(signed_up.status(), 200);
    }

    /// Signs `username` up and confirms the account through the REST API.
    pub async fn confirmed_user(&self, username: &str) {
        self.signed_up(username).await;
        let code = self.latest_code(username).await;
        let confirmed = self
            .post_json(
                "/api/auth/confirmEmail",
                &serde_json::json!({"username": username, "code": code}),
            )
            .await;
        assert_eq!(confirmed.status(), 200);
    }

    /// `POST /api/auth/login`.
    pub async fn log_in(&self, username: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/auth/login",
            &serde_json::json!({"username": username, "password": password}),
        )
        .await
    }

    /// A fresh confirmed account's access token.
    pub async fn access_token(&self, username: &str) -> String {
        self.confirmed_user(username).await;
        self.logged_in_token(username).await
    }

    /// An access token for an account that exists already (made by `confirmed_user`).
    pub async fn access_token_of(&self, username: &str) -> String {
        self.logged_in_token(username).await
    }

    /// An access token for `username`, signed up and confirmed on Cognito through moto
    /// (which sends no mail and accepts any code).
    pub async fn cognito_access_token(&self, username: &str) -> String {
        self.signed_up(username).await;
        let confirmed = self
            .post_json(
                "/api/auth/confirmEmail",
                &serde_json::json!({"username": username, "code": "123456"}),
            )
            .await;
        assert_eq!(confirmed.status(), 200);
        self.logged_in_token(username).await
    }

    async fn logged_in_token(&self, username: &str) -> String {
        let tokens: serde_json::Value = self
            .log_in(username, PASSWORD)
            .await
            .json()
            .await
            .expect("tokens");
        tokens["accessToken"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }

    /// `GET` a path on this server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request reaches the server")
    }

    /// `POST` a JSON body to a path on this server.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .expect("request reaches the server")
    }

    /// Stops the server and waits until it has released its data directory.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task ends cleanly");
        }
    }
}

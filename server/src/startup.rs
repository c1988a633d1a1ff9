//! Wiring: adapters into services, services into one Router, and the Router into either
//! `axum::serve` (local) or `lambda_http` (when `AWS_LAMBDA_RUNTIME_API` is set).

use std::{future::Future, net::SocketAddr, path::Path, sync::Arc, time::Duration};

use app::services::{ChatService, CommentService, MediaService, PostService};
use axum::Router;
use tokio::net::TcpListener;

use crate::{
    adapters::{
        aws_sdk_config,
        cognito::{CognitoIdentityProvider, CognitoSettings},
        dynamo::{DynamoChatStore, DynamoCommentStore, DynamoMediaCatalog, DynamoPostStore},
        flags::{AppConfigFlags, DefaultFlags, LocalFlagsFile},
        live::{ApiGatewaySockets, DynamoTickets, LocalSockets, LocalTickets},
        local_idp::{LocalIdentityProvider, LocalIdpSettings},
        media::{LocalMediaStore, S3MediaStore, S3Settings},
        sqlite::{
            SqliteChatStore, SqliteCommentStore, SqliteDatabase, SqliteMediaCatalog,
            SqlitePostStore,
        },
    },
    auth::{
        jwks::{HttpJwks, StaticJwks},
        signing::{SigningKey, SigningKeyError},
        verifier::{AccessTokenVerifier, VerifierSettings},
    },
    configuration::{AwsSettings, Backend, ConfigError, Settings},
    http::{self, AppState, LocalMedia, cookies::RefreshCookie, metrics::RequestMetrics},
    lambda::{self, LambdaHandler},
    ports::{CHAT, COMMENTS, DevMailbox, FeatureFlags, PICTURES, StoreError, SystemClock},
    services::{
        Accounts, ChatSettings, Chats, Comments, FlagGate, Flags, Gated, Media, Pictures, Posts,
    },
    telemetry,
};

/// Where browsers open their chat socket on the embedded default: this origin.
const LOCAL_SOCKET_PATH: &str = "/api/chats/ws";
/// The data directory's folder of uploads and pictures, laid out like the bucket.
const MEDIA_DIR: &str = "media";

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The environment does not describe a runnable server.
    #[error("invalid configuration")]
    Config(#[from] ConfigError),
    /// The local data directory could not be opened.
    #[error("could not open the local database")]
    Store(#[from] StoreError),
    /// The HTTP client for the issuer's JWKS could not be built.
    #[error("could not build the HTTP client for the token issuer's keys")]
    HttpClient(#[from] reqwest::Error),
    /// The local identity provider's signing key could not be loaded or created.
    #[error("could not load the local token signing key")]
    SigningKey(#[from] SigningKeyError),
    /// The listening socket failed.
    #[error("could not listen on the configured address")]
    Io(#[from] std::io::Error),
    /// The Lambda runtime gave up.
    #[error("the Lambda runtime failed: {0}")]
    Lambda(lambda_http::Error),
    /// The AWS SDK found no credentials to sign upload forms with.
    #[error("no AWS credentials to sign upload forms with")]
    NoCredentials,
    /// `BOARDWALK_LAMBDA_HANDLER` names no handler.
    #[error("{0}")]
    Handler(String),
}

/// How often the local flags file is looked at for changes.
const FLAGS_RECHECK: Duration = Duration::from_secs(1);
/// How often the AppConfig extension is asked again (it polls AppConfig itself every 30 s).
const FLAGS_REFRESH: Duration = Duration::from_secs(15);

/// `inner` behind the gate of `flag`, as the edge sees it.
fn gated<T: ?Sized + Send + Sync + 'static>(
    flags: &Arc<dyn FeatureFlags>,
    flag: &'static str,
    inner: Arc<T>,
) -> Arc<Gated<T>> {
    Arc::new(Gated::new(FlagGate::new(Arc::clone(flags), flag), inner))
}

/// Builds the services the settings ask for: adapters into services, services behind their
/// interfaces.
pub async fn build_state(settings: &Settings) -> Result<AppState, StartupError> {
    match &settings.backend {
        Backend::Local {
            data_dir,
            refresh_reuse_grace_secs,
            ..
        } => local_state(settings, data_dir, *refresh_reuse_grace_secs),
        Backend::Aws(aws) => aws_state(settings, aws).await,
    }
}

/// The embedded default: SQLite, the local identity provider, files, in-process sockets.
fn local_state(
    settings: &Settings,
    data_dir: &Path,
    refresh_reuse_grace_secs: u64,
) -> Result<AppState, StartupError> {
    let database = SqliteDatabase::open(data_dir)?;
    let key = Arc::new(SigningKey::load_or_create(data_dir)?);
    let idp_settings = LocalIdpSettings {
        refresh_reuse_grace_secs,
        ..LocalIdpSettings::default()
    };
    let refresh_secs = idp_settings.refresh_token_secs;
    let identity =
        LocalIdentityProvider::new(database.clone(), key.clone(), idp_settings, SystemClock);
    let verifier = AccessTokenVerifier::new(
        identity.verifier_settings(),
        Arc::new(StaticJwks(key.jwks().clone())),
        SystemClock,
    );
    let files = Arc::new(LocalMediaStore::new(
        &data_dir.join(MEDIA_DIR),
        SystemClock,
    )?);
    let pictures = Pictures::new(
        Arc::new(SqliteMediaCatalog::new(database.clone())),
        files.clone(),
    );
    let flags: Arc<dyn FeatureFlags> = Arc::new(LocalFlagsFile::new(data_dir, FLAGS_RECHECK)?);
    let sockets = Arc::new(LocalSockets::default());
    let chat = Chats::new(
        SqliteChatStore::new(database.clone()),
        Arc::clone(&sockets),
        LocalTickets::default(),
        identity.clone(),
        pictures.directory(),
        SystemClock,
        ChatSettings {
            socket_url: LOCAL_SOCKET_PATH.into(),
        },
    );
    Ok(AppState {
        mode: settings.backend.mode(),
        metrics: Arc::new(RequestMetrics::prometheus()),
        posts: gated::<dyn PostService>(
            &flags,
            PICTURES,
            Arc::new(Posts::new(
                SqlitePostStore::new(database.clone()),
                SystemClock,
                pictures.clone(),
                Arc::new(SqliteCommentStore::new(database.clone())),
            )),
        ),
        comments: gated::<dyn CommentService>(
            &flags,
            COMMENTS,
            Arc::new(Comments::new(
                SqliteCommentStore::new(database.clone()),
                SqlitePostStore::new(database),
                pictures.directory(),
                SystemClock,
            )),
        ),
        chat: gated::<dyn ChatService>(&flags, CHAT, Arc::new(chat)),
        media: gated::<dyn MediaService>(
            &flags,
            PICTURES,
            Arc::new(Media::new(pictures.clone(), SystemClock)),
        ),
        flags: Arc::new(Flags::new(flags)),
        local_media: Some(LocalMedia {
            served_dir: files.served_dir(),
            uploads: files,
        }),
        sockets: Some(sockets),
        connections: None,
        clock: Arc::new(SystemClock),
        accounts: Arc::new(Accounts::new(identity.clone(), pictures.directory())),
        authenticator: Arc::new(verifier),
        refresh_cookie: RefreshCookie::new(refresh_secs),
        // Codes are only for the person at this machine: no mailbox on a public bind.
        dev_mailbox: settings
            .addr
            .ip()
            .is_loopback()
            .then(|| Arc::new(identity) as Arc<dyn DevMailbox>),
    })
}

/// AWS: DynamoDB, Cognito, S3 and API Gateway's WebSocket connections.
async fn aws_state(settings: &Settings, aws: &AwsSettings) -> Result<AppState, StartupError> {
    let config = aws_sdk_config(aws.endpoint_url.as_deref()).await;
    let region = config.region().map(ToString::to_string).unwrap_or_default();
    let dynamodb = aws_sdk_dynamodb::Client::new(&config);
    let issuer = aws.token_issuer.clone().unwrap_or_else(|| {
        format!(
            "https://cognito-idp.{region}.amazonaws.com/{}",
            aws.user_pool_id
        )
    });
    let jwks_url = aws
        .jwks_url
        .clone()
        .unwrap_or_else(|| format!("{issuer}/.well-known/jwks.json"));
    let verifier = AccessTokenVerifier::new(
        VerifierSettings {
            issuer,
            client_id: aws.user_pool_client_id.clone(),
        },
        Arc::new(HttpJwks::new(jwks_url)?),
        SystemClock,
    );
    let management = aws_sdk_apigatewaymanagement::Client::from_conf(
        aws_sdk_apigatewaymanagement::Config::from(&config)
            .to_builder()
            .endpoint_url(&aws.websocket_endpoint)
            .build(),
    );
    let sockets = Arc::new(ApiGatewaySockets::new(
        dynamodb.clone(),
        &aws.live_table,
        management,
    ));
    let identity = CognitoIdentityProvider::new(
        aws_sdk_cognitoidentityprovider::Client::new(&config),
        CognitoSettings {
            user_pool_id: aws.user_pool_id.clone(),
            client_id: aws.user_pool_client_id.clone(),
            client_secret: aws.user_pool_client_secret.clone(),
        },
    );
    // An emulator answers on one host, so buckets go in the path there.
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::from(&config)
            .to_builder()
            .force_path_style(aws.endpoint_url.is_some())
            .build(),
    );
    let credentials = config
        .credentials_provider()
        .ok_or(StartupError::NoCredentials)?;
    let bucket = S3MediaStore::new(
        s3,
        credentials,
        S3Settings {
            bucket: aws.media_bucket.clone(),
            region,
            endpoint_url: aws.endpoint_url.clone(),
        },
    );
    let pictures = Pictures::new(
        Arc::new(DynamoMediaCatalog::new(dynamodb.clone(), &aws.media_table)),
        Arc::new(bucket),
    );
    let flags: Arc<dyn FeatureFlags> = match &aws.flags_url {
        Some(url) => Arc::new(AppConfigFlags::new(url, FLAGS_REFRESH)?),
        None => Arc::new(DefaultFlags),
    };
    let posts = DynamoPostStore::new(dynamodb.clone(), &aws.posts_table, &aws.counters_table);
    let comments = DynamoCommentStore::new(dynamodb.clone(), &aws.comments_table, &aws.posts_table);
    let chat = Chats::new(
        DynamoChatStore::new(dynamodb.clone(), &aws.chat_table),
        Arc::clone(&sockets),
        DynamoTickets::new(dynamodb.clone(), &aws.live_table),
        identity.clone(),
        pictures.directory(),
        SystemClock,
        ChatSettings {
            socket_url: aws.websocket_url.clone(),
        },
    );
    Ok(AppState {
        mode: settings.backend.mode(),
        metrics: Arc::new(RequestMetrics::prometheus()),
        posts: gated::<dyn PostService>(
            &flags,
            PICTURES,
            Arc::new(Posts::new(
                posts.clone(),
                SystemClock,
                pictures.clone(),
                Arc::new(comments.clone()),
            )),
        ),
        comments: gated::<dyn CommentService>(
            &flags,
            COMMENTS,
            Arc::new(Comments::new(
                comments,
                posts,
                pictures.directory(),
                SystemClock,
            )),
        ),
        chat: gated::<dyn ChatService>(&flags, CHAT, Arc::new(chat)),
        media: gated::<dyn MediaService>(
            &flags,
            PICTURES,
            Arc::new(Media::new(pictures.clone(), SystemClock)),
        ),
        flags: Arc::new(Flags::new(flags)),
        local_media: None,
        sockets: None,
        connections: Some(sockets),
        clock: Arc::new(SystemClock),
        accounts: Arc::new(Accounts::new(identity, pictures.directory())),
        authenticator: Arc::new(verifier),
        refresh_cookie: RefreshCookie::new(aws.refresh_token_days * 24 * 3600),
        dev_mailbox: None,
    })
}

/// The one Router both runtimes serve.
pub fn build_router(state: AppState, settings: &Settings) -> Router {
    http::router(state, settings)
}

/// A local server bound to its port, ready to run; binding first lets tests ask for port 0
/// and learn the real one.
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Wires the services and binds `settings.addr`.
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let state = build_state(settings).await?;
        let router = build_router(state, settings);
        let listener = TcpListener::bind(settings.addr).await?;
        Ok(Self { listener, router })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The peer address feeds the per-address attempt budget.
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

/// Reads the environment and serves: under `lambda_http` on Lambda, else on a local port
/// until Ctrl-C.
pub async fn run() -> Result<(), StartupError> {
    let on_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    telemetry::init(on_lambda);

    if on_lambda {
        let handler = std::env::var("BOARDWALK_LAMBDA_HANDLER").ok();
        return match LambdaHandler::parse(handler.as_deref()).map_err(StartupError::Handler)? {
            LambdaHandler::Api => {
                let settings = Settings::from_env()?;
                let mut state = build_state(&settings).await?;
                state.metrics = Arc::new(RequestMetrics::emf(Box::new(std::io::stdout())));
                lambda::run_api(build_router(state.clone(), &settings), state).await
            }
            LambdaHandler::CognitoTriggers => lambda::run_cognito_triggers().await,
        }
        .map_err(StartupError::Lambda);
    }

    let settings = Settings::from_env()?;
    let application = Application::build(&settings).await?;
    let addr = application.local_addr()?;
    tracing::info!(mode = settings.backend.mode(), "listening on http://{addr}");
    println!("Boardwalk is running at http://{addr}/");
    application
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

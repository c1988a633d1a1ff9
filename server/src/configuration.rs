//! Settings from `BOARDWALK_*` environment variables, parsed once at start-up into types that
//! cannot hold an invalid combination (AWS settings exist exactly in AWS mode).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

/// Seconds a rotated-out refresh token keeps working, as Cognito's default.
pub const DEFAULT_REFRESH_REUSE_GRACE_SECS: u64 = 10;

/// Refresh token lifetime when the stack does not say, as the user pool client's default.
pub const DEFAULT_REFRESH_TOKEN_DAYS: u64 = 30;

/// Host names the local server answers for when `BOARDWALK_LOCAL_HOSTS` does not say.
pub const DEFAULT_LOCAL_HOSTS: &str = "localhost,127.0.0.1,::1";

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the local server listens (`BOARDWALK_ADDR`); unused on Lambda.
    pub addr: SocketAddr,
    /// The built SPA (`BOARDWALK_SITE_DIR`), served with a fallback to its `index.html`.
    pub site_dir: PathBuf,
    /// Other origins that may call the API with credentials (`BOARDWALK_ALLOWED_ORIGINS`,
    /// comma-separated). The site's own origin needs no entry: it is same-origin.
    pub allowed_origins: Vec<Origin>,
    /// The site's own origin as browsers see it (`BOARDWALK_PUBLIC_ORIGIN`, such as the
    /// CloudFront URL). Without it the local server is its own origin, `http://<Host>`.
    pub public_origin: Option<Origin>,
    /// How many account attempts (log-in, sign-up, confirm, resend) one client address gets.
    pub auth_attempts: AttemptBudget,
    /// Which adapters to wire in.
    pub backend: Backend,
}

/// A per-client-address budget: `burst` attempts at once, refilled at `per_hour`
/// (`BOARDWALK_AUTH_ATTEMPTS_BURST`, `BOARDWALK_AUTH_ATTEMPTS_PER_HOUR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptBudget {
    /// Attempts refilled per hour.
    pub per_hour: u32,
    /// Attempts allowed back to back.
    pub burst: u32,
}

impl Default for AttemptBudget {
    fn default() -> Self {
        Self {
            per_hour: 120,
            burst: 10,
        }
    }
}

/// A web origin, `scheme://host[:port]`, exactly as a browser sends it in `Origin`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin(String);

impl Origin {
    /// Accepts `http(s)://host[:port]` with no path, query or trailing slash, since the
    /// browser's `Origin` header never has one and a near miss would silently never match.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let uri: axum::http::Uri = raw.parse().map_err(|_| format!("{raw:?} is not a URL"))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        let bare =
            uri.authority().is_some() && raw.trim_end_matches('/') == raw && uri.query().is_none();
        if !scheme_ok || !bare || !matches!(uri.path(), "" | "/") {
            return Err(format!(
                "{raw:?} is not an origin like https://app.example.com"
            ));
        }
        Ok(Self(raw.to_ascii_lowercase()))
    }
}

impl AsRef<str> for Origin {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The two ways Boardwalk stores its data and knows its users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: SQLite and local files under `data_dir`, no network needed.
    Local {
        /// Survives restarts (`BOARDWALK_DATA_DIR`).
        data_dir: PathBuf,
        /// How long a rotated-out refresh token still works
        /// (`BOARDWALK_REFRESH_REUSE_GRACE_SECS`, like Cognito's `RetryGracePeriodSeconds`).
        refresh_reuse_grace_secs: u64,
        /// Host names (without port) the server answers for (`BOARDWALK_LOCAL_HOSTS`); any
        /// other `Host` is refused, so a page using DNS rebinding cannot reach the server.
        local_hosts: Vec<String>,
    },
    /// DynamoDB, Cognito and S3 through the AWS SDK.
    Aws(Box<AwsSettings>),
}

impl Backend {
    /// The name `/api/health` reports and `BOARDWALK_MODE` accepts.
    pub fn mode(&self) -> &'static str {
        match self {
            Self::Local { .. } => "local",
            Self::Aws(_) => "aws",
        }
    }
}

/// Resource names the AWS adapters use; the stack sets them as the Lambda's environment.
#[derive(Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// DynamoDB table of atomic counters (`BOARDWALK_COUNTERS_TABLE`).
    pub counters_table: String,
    /// DynamoDB table of posts, with the newest-first feed index (`BOARDWALK_POSTS_TABLE`).
    pub posts_table: String,
    /// DynamoDB table of comments, keyed by post then comment (`BOARDWALK_COMMENTS_TABLE`).
    pub comments_table: String,
    /// DynamoDB table of chat rooms, members and messages (`BOARDWALK_CHAT_TABLE`).
    pub chat_table: String,
    /// DynamoDB table of socket tickets and WebSocket connections, with TTL
    /// (`BOARDWALK_LIVE_TABLE`).
    pub live_table: String,
    /// DynamoDB table of uploads, pictures and profile pictures, with the sparse
    /// unattached index (`BOARDWALK_MEDIA_TABLE`).
    pub media_table: String,
    /// The private S3 bucket uploads land in and pictures are served from
    /// (`BOARDWALK_MEDIA_BUCKET`).
    pub media_bucket: String,
    /// Where browsers open their chat socket, the WebSocket API's `wss://` stage URL
    /// (`BOARDWALK_WEBSOCKET_URL`).
    pub websocket_url: String,
    /// The WebSocket API's management endpoint, its `https://` stage URL, for posting to
    /// connections (`BOARDWALK_WEBSOCKET_ENDPOINT`).
    pub websocket_endpoint: String,
    /// The Cognito user pool (`BOARDWALK_USER_POOL_ID`), which names the token issuer.
    pub user_pool_id: String,
    /// Its app client (`BOARDWALK_USER_POOL_CLIENT_ID`).
    pub user_pool_client_id: String,
    /// The app client's secret, if it has one (`BOARDWALK_USER_POOL_CLIENT_SECRET`).
    pub user_pool_client_secret: Option<String>,
    /// Refresh token lifetime in days (`BOARDWALK_REFRESH_TOKEN_DAYS`), which bounds the cookie.
    pub refresh_token_days: u64,
    /// Overrides the `iss` tokens must carry (`BOARDWALK_TOKEN_ISSUER`); by default
    /// Cognito's URL for the pool.
    pub token_issuer: Option<String>,
    /// Overrides where the JWKS is fetched (`BOARDWALK_JWKS_URL`): an emulator serves it
    /// elsewhere than its issuer says.
    pub jwks_url: Option<String>,
    /// Points every AWS client at an emulator such as moto (`BOARDWALK_AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// Where the AppConfig Lambda extension serves the feature flags
    /// (`BOARDWALK_FLAGS_URL`, `http://localhost:2772/applications/…`); without it every
    /// flag keeps its default.
    pub flags_url: Option<String>,
    /// The value CloudFront sends in `x-origin-verify` (`BOARDWALK_ORIGIN_VERIFY_SECRET`);
    /// when set, a request without it did not come through CloudFront and is refused.
    pub origin_verify_secret: Option<String>,
}

impl std::fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSettings")
            .field("counters_table", &self.counters_table)
            .field("posts_table", &self.posts_table)
            .field("comments_table", &self.comments_table)
            .field("chat_table", &self.chat_table)
            .field("live_table", &self.live_table)
            .field("media_table", &self.media_table)
            .field("media_bucket", &self.media_bucket)
            .field("websocket_url", &self.websocket_url)
            .field("websocket_endpoint", &self.websocket_endpoint)
            .field("user_pool_id", &self.user_pool_id)
            .field("user_pool_client_id", &self.user_pool_client_id)
            .field("has_client_secret", &self.user_pool_client_secret.is_some())
            .field("refresh_token_days", &self.refresh_token_days)
            .field("token_issuer", &self.token_issuer)
            .field("jwks_url", &self.jwks_url)
            .field("endpoint_url", &self.endpoint_url)
            .field("flags_url", &self.flags_url)
            .field(
                "has_origin_verify_secret",
                &self.origin_verify_secret.is_some(),
            )
            .finish()
    }
}

/// A setting is missing or malformed; the message names the variable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// A variable AWS mode cannot do without.
    #[error("{0} must be set when BOARDWALK_MODE=aws")]
    Missing(&'static str),
    /// A variable that is set but cannot be used.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The variable's name.
        name: &'static str,
        /// What a valid value looks like.
        reason: String,
    },
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let addr = match var("BOARDWALK_ADDR") {
            Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
                name: "BOARDWALK_ADDR",
                reason: "expected host:port, such as 127.0.0.1:3000".into(),
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let allowed_origins = var("BOARDWALK_ALLOWED_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(Origin::parse)
            .collect::<Result<_, _>>()
            .map_err(|reason| ConfigError::Invalid {
                name: "BOARDWALK_ALLOWED_ORIGINS",
                reason,
            })?;
        let public_origin = var("BOARDWALK_PUBLIC_ORIGIN")
            .map(|raw| Origin::parse(raw.trim()))
            .transpose()
            .map_err(|reason| ConfigError::Invalid {
                name: "BOARDWALK_PUBLIC_ORIGIN",
                reason,
            })?;
        let count = |name: &'static str, default: u32| match var(name) {
            Some(raw) => {
                raw.parse::<u32>()
                    .ok()
                    .filter(|value| *value > 0)
                    .ok_or(ConfigError::Invalid {
                        name,
                        reason: "expected a whole number above zero".into(),
                    })
            }
            None => Ok(default),
        };
        let auth_attempts = AttemptBudget {
            per_hour: count(
                "BOARDWALK_AUTH_ATTEMPTS_PER_HOUR",
                AttemptBudget::default().per_hour,
            )?,
            burst: count(
                "BOARDWALK_AUTH_ATTEMPTS_BURST",
                AttemptBudget::default().burst,
            )?,
        };
        let site_dir =
            var("BOARDWALK_SITE_DIR").map_or_else(|| "frontend/dist".into(), PathBuf::from);
        let backend = match var("BOARDWALK_MODE").as_deref().unwrap_or("local") {
            "local" => Backend::Local {
                data_dir: var("BOARDWALK_DATA_DIR").map_or_else(|| "data".into(), PathBuf::from),
                refresh_reuse_grace_secs: match var("BOARDWALK_REFRESH_REUSE_GRACE_SECS") {
                    Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
                        name: "BOARDWALK_REFRESH_REUSE_GRACE_SECS",
                        reason: "expected a whole number of seconds".into(),
                    })?,
                    None => DEFAULT_REFRESH_REUSE_GRACE_SECS,
                },
                local_hosts: host_list(
                    &var("BOARDWALK_LOCAL_HOSTS").unwrap_or_else(|| DEFAULT_LOCAL_HOSTS.into()),
                ),
            },
            "aws" => {
                let required = |name: &'static str| var(name).ok_or(ConfigError::Missing(name));
                Backend::Aws(Box::new(AwsSettings {
                    counters_table: required("BOARDWALK_COUNTERS_TABLE")?,
                    posts_table: required("BOARDWALK_POSTS_TABLE")?,
                    comments_table: required("BOARDWALK_COMMENTS_TABLE")?,
                    chat_table: required("BOARDWALK_CHAT_TABLE")?,
                    live_table: required("BOARDWALK_LIVE_TABLE")?,
                    media_table: required("BOARDWALK_MEDIA_TABLE")?,
                    media_bucket: required("BOARDWALK_MEDIA_BUCKET")?,
                    websocket_url: required("BOARDWALK_WEBSOCKET_URL")?,
                    websocket_endpoint: required("BOARDWALK_WEBSOCKET_ENDPOINT")?,
                    user_pool_id: required("BOARDWALK_USER_POOL_ID")?,
                    user_pool_client_id: required("BOARDWALK_USER_POOL_CLIENT_ID")?,
                    user_pool_client_secret: var("BOARDWALK_USER_POOL_CLIENT_SECRET"),
                    refresh_token_days: match var("BOARDWALK_REFRESH_TOKEN_DAYS") {
                        Some(raw) => raw.parse().map_err(|_| ConfigError::Invalid {
                            name: "BOARDWALK_REFRESH_TOKEN_DAYS",
                            reason: "expected a whole number of days".into(),
                        })?,
                        None => DEFAULT_REFRESH_TOKEN_DAYS,
                    },
                    token_issuer: var("BOARDWALK_TOKEN_ISSUER"),
                    jwks_url: var("BOARDWALK_JWKS_URL"),
                    endpoint_url: var("BOARDWALK_AWS_ENDPOINT_URL"),
                    origin_verify_secret: var("BOARDWALK_ORIGIN_VERIFY_SECRET"),
                    flags_url: var("BOARDWALK_FLAGS_URL"),
                }))
            }
            _ => {
                return Err(ConfigError::Invalid {
                    name: "BOARDWALK_MODE",
                    reason: "expected `local` or `aws`".into(),
                });
            }
        };
        Ok(Self {
            addr,
            site_dir,
            allowed_origins,
            public_origin,
            auth_attempts,
            backend,
        })
    }

    /// Settings for a local server on `addr` with its data in `data_dir`.
    pub fn local(addr: SocketAddr, data_dir: &Path, site_dir: &Path) -> Self {
        Self {
            addr,
            site_dir: site_dir.to_owned(),
            allowed_origins: Vec::new(),
            public_origin: None,
            auth_attempts: AttemptBudget::default(),
            backend: Backend::Local {
                data_dir: data_dir.to_owned(),
                refresh_reuse_grace_secs: DEFAULT_REFRESH_REUSE_GRACE_SECS,
                local_hosts: host_list(DEFAULT_LOCAL_HOSTS),
            },
        }
    }
}

/// Comma-separated host names, lower-cased, without brackets around IPv6 addresses.
fn host_list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|host| host.trim().trim_start_matches('[').trim_end_matches(']'))
        .filter(|host| !host.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn no_variables_give_the_embedded_default_on_loopback() {
        let settings = settings(&[]).unwrap();
        assert_eq!(settings.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(
            settings.backend,
            Backend::Local {
                data_dir: "data".into(),
                refresh_reuse_grace_secs: 10,
                local_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            }
        );
        assert_eq!(settings.site_dir, PathBuf::from("frontend/dist"));
        assert_eq!(settings.public_origin, None);
        assert_eq!(
            settings.auth_attempts,
            AttemptBudget {
                per_hour: 120,
                burst: 10
            }
        );
    }

    #[test]
    fn variables_override_address_and_data_dir() {
        let settings = settings(&[
            ("BOARDWALK_ADDR", "127.0.0.1:4100"),
            ("BOARDWALK_DATA_DIR", "/tmp/board"),
            ("BOARDWALK_REFRESH_REUSE_GRACE_SECS", "3"),
            ("BOARDWALK_LOCAL_HOSTS", "Board.Test, [::1]"),
            ("BOARDWALK_PUBLIC_ORIGIN", "https://board.test"),
            ("BOARDWALK_AUTH_ATTEMPTS_PER_HOUR", "60"),
            ("BOARDWALK_AUTH_ATTEMPTS_BURST", "5"),
        ])
        .unwrap();
        assert_eq!(settings.addr.port(), 4100);
        assert_eq!(settings.backend.mode(), "local");
        assert_eq!(
            settings.backend,
            Backend::Local {
                data_dir: "/tmp/board".into(),
                refresh_reuse_grace_secs: 3,
                local_hosts: vec!["board.test".into(), "::1".into()],
            }
        );
        assert_eq!(
            settings.public_origin,
            Some(Origin::parse("https://board.test").unwrap())
        );
        assert_eq!(
            settings.auth_attempts,
            AttemptBudget {
                per_hour: 60,
                burst: 5
            }
        );
    }

    #[test]
    fn a_zero_or_malformed_budget_is_rejected_by_name() {
        for (name, value) in [
            ("BOARDWALK_AUTH_ATTEMPTS_PER_HOUR", "0"),
            ("BOARDWALK_AUTH_ATTEMPTS_BURST", "many"),
        ] {
            let err = settings(&[(name, value)]).unwrap_err();
            assert!(err.to_string().starts_with(name), "{err}");
        }
    }

    #[test]
    fn a_malformed_address_is_rejected_by_name() {
        let err = settings(&[("BOARDWALK_ADDR", "localhost")]).unwrap_err();
        assert!(err.to_string().starts_with("BOARDWALK_ADDR is invalid"));
    }

    #[test]
    fn allowed_origins_are_a_comma_separated_list() {
        let settings = settings(&[(
            "BOARDWALK_ALLOWED_ORIGINS",
            "https://app.example.com, http://localhost:8080",
        )])
        .unwrap();
        let origins: Vec<&str> = settings.allowed_origins.iter().map(AsRef::as_ref).collect();
        assert_eq!(
            origins,
            ["https://app.example.com", "http://localhost:8080"]
        );
        assert!(settings_without_origins().allowed_origins.is_empty());
    }

    fn settings_without_origins() -> Settings {
        settings(&[("BOARDWALK_ALLOWED_ORIGINS", "")]).unwrap()
    }

    #[test]
    fn an_allowed_origin_with_a_path_or_another_scheme_is_rejected_by_name() {
        for bad in [
            "https://app.example.com/",
            "https://app.example.com/x",
            "ftp://a.b",
            "app.example.com",
        ] {
            let err = settings(&[("BOARDWALK_ALLOWED_ORIGINS", bad)]).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("BOARDWALK_ALLOWED_ORIGINS is invalid"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn an_unknown_mode_is_rejected_by_name() {
        let err = settings(&[("BOARDWALK_MODE", "cloud")]).unwrap_err();
        assert!(err.to_string().starts_with("BOARDWALK_MODE is invalid"));
    }

    #[test]
    fn aws_mode_requires_its_table_names() {
        let err = settings(&[("BOARDWALK_MODE", "aws")]).unwrap_err();
        assert_eq!(err, ConfigError::Missing("BOARDWALK_COUNTERS_TABLE"));
    }

    #[test]
    fn the_client_secret_never_shows_in_debug_output() {
        let settings = settings(&[
            ("BOARDWALK_MODE", "aws"),
            ("BOARDWALK_COUNTERS_TABLE", "t"),
            ("BOARDWALK_POSTS_TABLE", "p"),
            ("BOARDWALK_COMMENTS_TABLE", "cm"),
            ("BOARDWALK_CHAT_TABLE", "c"),
            ("BOARDWALK_LIVE_TABLE", "l"),
            ("BOARDWALK_MEDIA_TABLE", "m"),
            ("BOARDWALK_MEDIA_BUCKET", "b"),
            ("BOARDWALK_WEBSOCKET_URL", "wss://w"),
            ("BOARDWALK_WEBSOCKET_ENDPOINT", "https://w"),
            ("BOARDWALK_USER_POOL_ID", "p"),
            ("BOARDWALK_USER_POOL_CLIENT_ID", "c"),
            ("BOARDWALK_USER_POOL_CLIENT_SECRET", "very-secret-value"),
            ("BOARDWALK_ORIGIN_VERIFY_SECRET", "another-secret-value"),
        ])
        .unwrap();
        let shown = format!("{settings:?}");
        assert!(!shown.contains("very-secret-value") && !shown.contains("another-secret-value"));
    }

    #[test]
    fn aws_mode_reads_tables_and_the_optional_endpoint() {
        let settings = settings(&[
            ("BOARDWALK_MODE", "aws"),
            ("BOARDWALK_COUNTERS_TABLE", "boardwalk-counters"),
            ("BOARDWALK_POSTS_TABLE", "boardwalk-posts"),
            ("BOARDWALK_COMMENTS_TABLE", "boardwalk-comments"),
            ("BOARDWALK_CHAT_TABLE", "boardwalk-chat"),
            ("BOARDWALK_LIVE_TABLE", "boardwalk-live"),
            ("BOARDWALK_MEDIA_TABLE", "boardwalk-media"),
            ("BOARDWALK_MEDIA_BUCKET", "boardwalk-media-bucket"),
            ("BOARDWALK_WEBSOCKET_URL", "wss://ws.example.com/prod"),
            (
                "BOARDWALK_WEBSOCKET_ENDPOINT",
                "https://ws.example.com/prod",
            ),
            ("BOARDWALK_USER_POOL_ID", "eu-west-1_abc"),
            ("BOARDWALK_USER_POOL_CLIENT_ID", "client123"),
            ("BOARDWALK_USER_POOL_CLIENT_SECRET", ""),
            ("BOARDWALK_AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(
            settings.backend,
            Backend::Aws(Box::new(AwsSettings {
                counters_table: "boardwalk-counters".into(),
                posts_table: "boardwalk-posts".into(),
                comments_table: "boardwalk-comments".into(),
                chat_table: "boardwalk-chat".into(),
                live_table: "boardwalk-live".into(),
                media_table: "boardwalk-media".into(),
                media_bucket: "boardwalk-media-bucket".into(),
                websocket_url: "wss://ws.example.com/prod".into(),
                websocket_endpoint: "https://ws.example.com/prod".into(),
                user_pool_id: "eu-west-1_abc".into(),
                user_pool_client_id: "client123".into(),
                user_pool_client_secret: None,
                refresh_token_days: 30,
                token_issuer: None,
                jwks_url: None,
                endpoint_url: Some("http://127.0.0.1:5000".into()),
                origin_verify_secret: None,
                flags_url: None,
            }))
        );
    }
}

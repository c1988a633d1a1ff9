//! The `FeatureFlags` contract: the local flags file and AppConfig (read through its Lambda
//! extension's local endpoint) give the same rules for the same document, pick up a change
//! without a restart, and keep the last good rules when the source breaks.
//!
//! moto has AppConfig's control plane but not its data plane (nor the extension), so the
//! AppConfig adapter is tested against a loopback fake of the extension's endpoint, which
//! answers as the extension does for a feature-flag profile: the values alone.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use app::services::Caller;
use axum::{Router, extract::State, http::StatusCode, routing::get};
use serde_json::{Value, json};
use server::{
    adapters::flags::{AppConfigFlags, FLAGS_FILE, LocalFlagsFile},
    ports::{CHAT, FeatureFlags, PICTURES},
};

/// How often the adapters look again in these tests.
const RECHECK: Duration = Duration::from_millis(50);

/// A flag source and how to change what it serves.
trait Source: Send + Sync {
    fn flags(&self) -> Arc<dyn FeatureFlags>;
    /// Serves `document` (a whole AppConfig feature-flag document).
    fn set(&self, document: &Value);
    /// Serves something that is not a flag document.
    fn break_it(&self);
}

struct LocalSource {
    flags: Arc<LocalFlagsFile>,
    dir: tempfile::TempDir,
}

impl Source for LocalSource {
    fn flags(&self) -> Arc<dyn FeatureFlags> {
        self.flags.clone()
    }

    fn set(&self, document: &Value) {
        // A new modification time even within the file system's timestamp granularity.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(self.dir.path().join(FLAGS_FILE), document.to_string()).unwrap();
    }

    fn break_it(&self) {
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(self.dir.path().join(FLAGS_FILE), "{ not json").unwrap();
    }
}

async fn local_source() -> Box<dyn Source> {
    let dir = tempfile::tempdir().unwrap();
    let flags = Arc::new(LocalFlagsFile::new(dir.path(), RECHECK).unwrap());
    Box::new(LocalSource { flags, dir })
}

/// What the fake extension answers.
type Served = Arc<Mutex<(StatusCode, String)>>;

struct ExtensionSource {
    flags: Arc<AppConfigFlags>,
    served: Served,
}

impl Source for ExtensionSource {
    fn flags(&self) -> Arc<dyn FeatureFlags> {
        self.flags.clone()
    }

    fn set(&self, document: &Value) {
        *self.served.lock().unwrap() = (StatusCode::OK, document["values"].to_string());
    }

    fn break_it(&self) {
        *self.served.lock().unwrap() = (StatusCode::INTERNAL_SERVER_ERROR, "down".into());
    }
}

async fn extension_source() -> Box<dyn Source> {
    let served: Served = Arc::new(Mutex::new((StatusCode::OK, default_values().to_string())));
    let path = "/applications/boardwalk/environments/prod/configurations/flags";
    let app = Router::new()
        .route(
            path,
            get(|State(served): State<Served>| async move { served.lock().unwrap().clone() }),
        )
        .with_state(Arc::clone(&served));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, app).into_future());
    let flags = Arc::new(AppConfigFlags::new(url, RECHECK).unwrap());
    Box::new(ExtensionSource { flags, served })
}

fn default_values() -> Value {
    let document: Value = serde_json::from_str(server::adapters::flags::DEFAULT_DOCUMENT).unwrap();
    document["values"].clone()
}

macro_rules! flags_contract {
    ($adapter:ident, $source:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_defaults_turn_every_feature_on() {
                super::the_defaults_turn_every_feature_on($source).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_changed_document_applies_without_a_restart() {
                super::a_changed_document_applies_without_a_restart($source).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_broken_source_leaves_the_last_good_flags() {
                super::a_broken_source_leaves_the_last_good_flags($source).await;
            }
        }
    };
}

flags_contract!(local_file, local_source().await);
flags_contract!(appconfig_extension, extension_source().await);

fn person(name: &str, groups: &[&str]) -> Caller {
    Caller {
        sub: format!("sub-{name}"),
        username: name.to_owned(),
        groups: groups.iter().map(|group| (*group).to_owned()).collect(),
    }
}

/// Chat only for the `early` group, pictures killed, and a flag of our own.
fn early_chat() -> Value {
    json!({
        "version": "1",
        "flags": {
            "chat": {"name": "Chat", "attributes": {"groups": {"constraints": {"type": "array"}}}},
            "pictures": {"name": "Pictures", "attributes": {"kill": {"constraints": {"type": "boolean"}}}},
            "uploads": {"name": "Uploads", "attributes": {"dailyLimit": {"constraints": {"type": "number"}}}}
        },
        "values": {
            "chat": {"enabled": true, "groups": ["early"]},
            "pictures": {"enabled": true, "kill": true},
            "uploads": {"enabled": true, "dailyLimit": 5}
        }
    })
}

/// Asks until `check` holds, for up to two seconds.
async fn eventually(flags: &dyn FeatureFlags, check: impl Fn(&server::ports::FlagRules) -> bool) {
    let started = Instant::now();
    while !check(flags.rules().await.as_ref()) {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the change never applied"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn the_defaults_turn_every_feature_on(source: Box<dyn Source>) {
    let flags = source.flags();
    let rules = flags.rules().await;
    for flag in [CHAT, PICTURES, "comments"] {
        assert!(rules.enabled(flag, None), "{flag}");
    }
    assert!(rules.enabled("beta", Some(&person("t", &["beta"]))));
    assert!(!rules.enabled("beta", Some(&person("u", &[]))));
}

async fn a_changed_document_applies_without_a_restart(source: Box<dyn Source>) {
    let flags = source.flags();
    flags.rules().await;
    let (early, late) = (person("ann", &["early"]), person("bob", &[]));

    source.set(&early_chat());

    eventually(flags.as_ref(), |rules| !rules.enabled(CHAT, Some(&late))).await;
    let rules = flags.rules().await;
    assert!(rules.enabled(CHAT, Some(&early)));
    assert!(!rules.enabled(CHAT, None));
    assert!(!rules.enabled(PICTURES, Some(&early)), "killed");
    assert_eq!(
        rules.evaluate(Some(&early))["uploads"].1["dailyLimit"],
        json!(5)
    );
}

async fn a_broken_source_leaves_the_last_good_flags(source: Box<dyn Source>) {
    let flags = source.flags();
    source.set(&early_chat());
    let late = person("bob", &[]);
    eventually(flags.as_ref(), |rules| !rules.enabled(CHAT, Some(&late))).await;

    source.break_it();
    tokio::time::sleep(RECHECK * 6).await;
    for _ in 0..5 {
        assert!(
            !flags.rules().await.enabled(CHAT, Some(&late)),
            "still the last good rules"
        );
        tokio::time::sleep(RECHECK).await;
    }
}

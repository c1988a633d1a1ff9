//! [`FeatureFlags`] from `<data dir>/flags.json`, a whole AppConfig feature-flag document (so
//! the same file can be uploaded to AppConfig as it is). The file is looked at again at most
//! once per `recheck` and re-read when its modification time or size changed; a document
//! that does not parse leaves the last good rules in force and says why in the log, once.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant, SystemTime},
};

use async_trait::async_trait;

use super::document::{DEFAULT_DOCUMENT, from_document};
use crate::ports::{FeatureFlags, FlagRules, StoreError};

/// The flags file's name in the data directory.
pub const FLAGS_FILE: &str = "flags.json";

struct Seen {
    rules: Arc<FlagRules>,
    /// The file's modification time and size when it was last read (or refused).
    version: Option<(SystemTime, u64)>,
    checked_at: Option<Instant>,
}

/// Flags from a local file.
pub struct LocalFlagsFile {
    path: PathBuf,
    recheck: Duration,
    seen: Mutex<Seen>,
}

impl LocalFlagsFile {
    /// Flags from `data_dir/flags.json`, written with the defaults if it is missing, looked
    /// at again at most once per `recheck`.
    pub fn new(data_dir: &Path, recheck: Duration) -> Result<Self, StoreError> {
        let path = data_dir.join(FLAGS_FILE);
        if !path.exists() {
            std::fs::write(&path, DEFAULT_DOCUMENT).map_err(StoreError::unavailable)?;
        }
        Ok(Self {
            path,
            recheck,
            seen: Mutex::new(Seen {
                rules: Arc::default(),
                version: None,
                checked_at: None,
            }),
        })
    }

    /// Reads the file if it changed since it was last read; the new rules, if it did and
    /// they parse.
    fn reread(&self, seen: &mut Seen) {
        let version = std::fs::metadata(&self.path)
            .ok()
            .and_then(|meta| Some((meta.modified().ok()?, meta.len())));
        if version == seen.version {
            return;
        }
        seen.version = version;
        let Some(_) = version else {
            tracing::warn!(path = %self.path.display(), "the flags file is gone; keeping the last good flags");
            return;
        };
        let parsed = std::fs::read(&self.path)
            .map_err(|err| err.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|err| err.to_string()))
            .and_then(|document| from_document(&document).map_err(|err| err.to_string()));
        match parsed {
            Ok(rules) => {
                tracing::info!(path = %self.path.display(), "feature flags read");
                seen.rules = Arc::new(rules);
            }
            Err(why) => {
                tracing::warn!(path = %self.path.display(), %why, "the flags file was refused; keeping the last good flags");
            }
        }
    }
}

#[async_trait]
impl FeatureFlags for LocalFlagsFile {
    async fn rules(&self) -> Arc<FlagRules> {
        let Ok(mut seen) = self.seen.lock() else {
            return Arc::default();
        };
        let due = seen
            .checked_at
            .is_none_or(|checked| checked.elapsed() >= self.recheck);
        if due {
            seen.checked_at = Some(Instant::now());
            // A stat, and a read of a few hundred bytes when it changed: quick enough to do
            // inline at most once per recheck.
            self.reread(&mut seen);
        }
        Arc::clone(&seen.rules)
    }
}

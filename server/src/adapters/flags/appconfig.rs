//! [`FeatureFlags`] from AWS AppConfig, through the AppConfig Lambda extension: a layer that
//! polls AppConfig in the background and serves the latest configuration on
//! `http://localhost:2772/applications/<app>/environments/<env>/configurations/<profile>`.
//!
//! Why the extension rather than the AppConfigData API: it keeps no AWS SDK crate in the
//! binary (build time, size, cold start), and it polls AppConfig on its own schedule, so the
//! function only ever asks a local process. Every `refresh` this adapter asks it again, in the
//! background: a request never waits for the answer, except the very first one of an
//! instance (bounded by a short timeout). When the extension fails or answers with a
//! document that does not parse, the last good rules stay in force.
//!
//! For a feature-flag profile AppConfig answers with the values alone (`{"chat": {"enabled":
//! true, …}}`), which is what this reads.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_trait::async_trait;

use super::document::from_values;
use crate::ports::{FeatureFlags, FlagRules, StoreError};

/// How long the first fetch of an instance may take before it starts on the defaults.
const FIRST_FETCH_TIMEOUT: Duration = Duration::from_secs(2);

struct Cached {
    rules: Arc<FlagRules>,
    fetched_at: Option<Instant>,
    refreshing: bool,
}

/// Flags served by the AppConfig extension.
#[derive(Clone)]
pub struct AppConfigFlags {
    url: String,
    client: reqwest::Client,
    refresh: Duration,
    cached: Arc<Mutex<Cached>>,
}

impl AppConfigFlags {
    /// Flags from the extension's `url`, asked again every `refresh`.
    pub fn new(url: impl Into<String>, refresh: Duration) -> Result<Self, StoreError> {
        let client = reqwest::Client::builder()
            .timeout(FIRST_FETCH_TIMEOUT)
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(Self {
            url: url.into(),
            client,
            refresh,
            cached: Arc::new(Mutex::new(Cached {
                rules: Arc::default(),
                fetched_at: None,
                refreshing: false,
            })),
        })
    }

    async fn fetch(&self) -> Result<FlagRules, String> {
        let response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|err| err.to_string())?;
        if !response.status().is_success() {
            return Err(format!("the extension answered {}", response.status()));
        }
        let values: serde_json::Value = response.json().await.map_err(|err| err.to_string())?;
        from_values(&values).map_err(|err| err.to_string())
    }

    /// Asks the extension and keeps what it says, if it is good.
    async fn update(&self) {
        let fetched = self.fetch().await;
        let Ok(mut cached) = self.cached.lock() else {
            return;
        };
        cached.fetched_at = Some(Instant::now());
        cached.refreshing = false;
        match fetched {
            Ok(rules) => cached.rules = Arc::new(rules),
            Err(why) => {
                tracing::warn!(%why, url = %self.url, "feature flags not refreshed; keeping the last good flags");
            }
        }
    }
}

#[async_trait]
impl FeatureFlags for AppConfigFlags {
    async fn rules(&self) -> Arc<FlagRules> {
        let (first, stale) = {
            let Ok(mut cached) = self.cached.lock() else {
                return Arc::default();
            };
            let first = cached.fetched_at.is_none();
            let stale = !cached.refreshing
                && cached
                    .fetched_at
                    .is_some_and(|at| at.elapsed() >= self.refresh);
            if stale {
                cached.refreshing = true;
            }
            (first, stale)
        };
        if first {
            self.update().await;
        } else if stale {
            let this = self.clone();
            tokio::spawn(async move { this.update().await });
        }
        self.cached
            .lock()
            .map(|cached| Arc::clone(&cached.rules))
            .unwrap_or_default()
    }
}

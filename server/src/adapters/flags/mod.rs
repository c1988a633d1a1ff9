//! Where feature flags come from: AppConfig (through its Lambda extension) on AWS, a local
//! file on the embedded default. Both read AppConfig's own feature-flag format.

mod appconfig;
mod document;
mod local;

pub use appconfig::AppConfigFlags;
pub use document::{DEFAULT_DOCUMENT, DocumentError, from_document, from_values};
pub use local::{FLAGS_FILE, LocalFlagsFile};

use std::sync::Arc;

use async_trait::async_trait;

use crate::ports::{FeatureFlags, FlagRules};

/// No flag document at all (AWS without the AppConfig extension): every flag keeps its
/// default.
pub struct DefaultFlags;

#[async_trait]
impl FeatureFlags for DefaultFlags {
    async fn rules(&self) -> Arc<FlagRules> {
        Arc::default()
    }
}

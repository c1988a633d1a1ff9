//! Feature flags: `GET /api/flags`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One flag as it applies to the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagState {
    /// Whether the feature is on for the caller.
    pub enabled: bool,
    /// The flag's other attributes (a daily limit, say), as the flag document gives them.
    #[serde(flatten)]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// Every flag, evaluated for the caller.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagsResponse {
    /// By flag name (`chat`, `pictures`, `comments`, `beta`, …).
    pub flags: BTreeMap<String, FlagState>,
}

impl FlagsResponse {
    /// Whether `name` is on; an unknown flag is off.
    pub fn enabled(&self, name: &str) -> bool {
        self.flags.get(name).is_some_and(|flag| flag.enabled)
    }
}

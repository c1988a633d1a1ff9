//! The process itself: health.

use serde::{Deserialize, Serialize};

/// Body of `GET /api/health`, what a deploy smoke test and a load balancer look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthResponse {
    /// Always `"ok"` when the process can answer at all.
    pub status: String,
    /// Which adapters are wired in: `"local"` or `"aws"`.
    pub mode: String,
    /// The server's crate version, to tell which build answered.
    pub version: String,
}

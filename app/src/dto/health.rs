//! The process itself: health, and the home page's visit count.

use serde::{Deserialize, Serialize};

/// Body of `GET /api/health`, what a deploy smoke test and a load balancer look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// Always `"ok"` when the process can answer at all.
    pub status: String,
    /// Which adapters are wired in: `"local"` or `"aws"`.
    pub mode: String,
    /// The server's crate version, to tell which build answered.
    pub version: String,
}

/// How many times the board's home page has been opened, counted by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitsResponse {
    /// The count including the visit that asked.
    pub visits: u64,
}

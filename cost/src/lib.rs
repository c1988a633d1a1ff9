//! What Boardwalk costs to run on AWS, priced from its own measured figures.
//!
//! A scenario (`cost/scenarios/*.toml`) gives a month's traffic; a prices file
//! (`cost/prices-<region>.toml`) the list prices with their pages; the benchmark
//! (`make bench`, copied to `cost/measured.json`) what one request and one page view really
//! take. [`Report::build`] prices the month twice, with a hand-made estimate's assumptions
//! and with the measurements, prices an always-on alternative beside them, and sweeps the
//! number of people to find where the two deployments cross.
//!
//! - [`prices`]: the price formulas, tested against the pricing pages' examples.
//! - [`scenario`]: the scenario file.
//! - [`measured`]: the benchmark's figures and DynamoDB's capacity rules.
//! - [`workload`]: per-request and per-view units, assumed or measured.
//! - [`estimate`]: a month's bill, serverless or serverful.
//! - [`report`]: the table, JSON and the SVG chart.

pub mod estimate;
pub mod measured;
pub mod prices;
pub mod report;
pub mod scenario;
pub mod workload;

use std::path::{Path, PathBuf};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CostError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A scenario or prices file is not what the model expects.
    #[error("{path}: {source}")]
    Toml {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: toml::de::Error,
    },
    /// The benchmark's figures are not what the model expects.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// Where and why.
        source: serde_json::Error,
    },
    /// A figure the model needs is missing.
    #[error("missing {0}")]
    Missing(String),
    /// The chart could not be drawn.
    #[error("drawing the chart: {0}")]
    Chart(String),
}

/// Reads a file, naming it in the error.
pub fn read(path: &Path) -> Result<String, CostError> {
    std::fs::read_to_string(path).map_err(|source| CostError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and parses a TOML file.
pub fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CostError> {
    toml::from_str(&read(path)?).map_err(|source| CostError::Toml {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads and parses a JSON file.
pub fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CostError> {
    serde_json::from_str(&read(path)?).map_err(|source| CostError::Json {
        path: path.to_path_buf(),
        source,
    })
}

pub use report::Report;

//! Settings from `BOARDWALK_*` environment variables, parsed once at start-up into types that
//! cannot hold an invalid combination (AWS settings exist exactly in AWS mode).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the local server listens (`BOARDWALK_ADDR`); unused on Lambda.
    pub addr: SocketAddr,
    /// The built SPA (`BOARDWALK_SITE_DIR`), served with a fallback to its `index.html`.
    pub site_dir: PathBuf,
    /// Which adapters to wire in.
    pub backend: Backend,
}

/// The two ways Boardwalk stores its data and knows its users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: SQLite and local files under `data_dir`, no network needed.
    Local {
        /// Survives restarts (`BOARDWALK_DATA_DIR`).
        data_dir: PathBuf,
    },
    /// DynamoDB, Cognito and S3 through the AWS SDK.
    Aws(AwsSettings),
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// DynamoDB table of atomic counters (`BOARDWALK_COUNTERS_TABLE`).
    pub counters_table: String,
    /// Points every AWS client at an emulator such as moto (`BOARDWALK_AWS_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
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
        let site_dir =
            var("BOARDWALK_SITE_DIR").map_or_else(|| "frontend/dist".into(), PathBuf::from);
        let backend = match var("BOARDWALK_MODE").as_deref().unwrap_or("local") {
            "local" => Backend::Local {
                data_dir: var("BOARDWALK_DATA_DIR").map_or_else(|| "data".into(), PathBuf::from),
            },
            "aws" => Backend::Aws(AwsSettings {
                counters_table: var("BOARDWALK_COUNTERS_TABLE")
                    .ok_or(ConfigError::Missing("BOARDWALK_COUNTERS_TABLE"))?,
                endpoint_url: var("BOARDWALK_AWS_ENDPOINT_URL"),
            }),
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
            backend,
        })
    }

    /// Settings for a local server on `addr` with its data in `data_dir`.
    pub fn local(addr: SocketAddr, data_dir: &Path, site_dir: &Path) -> Self {
        Self {
            addr,
            site_dir: site_dir.to_owned(),
            backend: Backend::Local {
                data_dir: data_dir.to_owned(),
            },
        }
    }
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
                data_dir: "data".into()
            }
        );
        assert_eq!(settings.site_dir, PathBuf::from("frontend/dist"));
    }

    #[test]
    fn variables_override_address_and_data_dir() {
        let settings = settings(&[
            ("BOARDWALK_ADDR", "127.0.0.1:4100"),
            ("BOARDWALK_DATA_DIR", "/tmp/board"),
        ])
        .unwrap();
        assert_eq!(settings.addr.port(), 4100);
        assert_eq!(settings.backend.mode(), "local");
        assert_eq!(
            settings.backend,
            Backend::Local {
                data_dir: "/tmp/board".into()
            }
        );
    }

    #[test]
    fn a_malformed_address_is_rejected_by_name() {
        let err = settings(&[("BOARDWALK_ADDR", "localhost")]).unwrap_err();
        assert!(err.to_string().starts_with("BOARDWALK_ADDR is invalid"));
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
    fn aws_mode_reads_tables_and_the_optional_endpoint() {
        let settings = settings(&[
            ("BOARDWALK_MODE", "aws"),
            ("BOARDWALK_COUNTERS_TABLE", "boardwalk-counters"),
            ("BOARDWALK_AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
        ])
        .unwrap();
        assert_eq!(
            settings.backend,
            Backend::Aws(AwsSettings {
                counters_table: "boardwalk-counters".into(),
                endpoint_url: Some("http://127.0.0.1:5000".into()),
            })
        );
    }
}

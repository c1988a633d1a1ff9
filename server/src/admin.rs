//! What an administrator runs against the embedded default's data directory, as they would
//! use the Cognito console on AWS: `boardwalk group add|remove|list <username> [group]`.
//! It opens the same database the server uses (SQLite lets both run at once).

use std::sync::Arc;

use app::domain::Username;

use crate::{
    adapters::{
        local_idp::{LocalIdentityProvider, LocalIdpSettings, valid_group_name},
        sqlite::SqliteDatabase,
    },
    auth::signing::SigningKey,
    configuration::{Backend, Settings},
    ports::SystemClock,
};

/// How to call it.
pub const USAGE: &str =
    "usage: boardwalk group add|remove <username> <group>\n       boardwalk group list <username>";

/// Why an admin command did nothing.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The words do not make a command.
    #[error("{USAGE}")]
    Usage,
    /// Groups of the local provider only exist on the embedded default.
    #[error("groups are managed in Cognito when BOARDWALK_MODE=aws")]
    NotLocal,
    /// An argument is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The database or key could not be opened.
    #[error("could not open the data directory: {0}")]
    Store(String),
}

/// Runs the command in `args` (without the program name) and says what it did.
pub async fn run(args: &[String], settings: &Settings) -> Result<String, AdminError> {
    let Backend::Local { data_dir, .. } = &settings.backend else {
        return Err(AdminError::NotLocal);
    };
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let (action, name, group) = match words.as_slice() {
        ["group", "list", name] => ("list", *name, None),
        ["group", action @ ("add" | "remove"), name, group] => (*action, *name, Some(*group)),
        _ => return Err(AdminError::Usage),
    };
    let username = Username::parse(name).map_err(|err| AdminError::Invalid(err.message))?;
    if group.is_some_and(|group| !valid_group_name(group)) {
        return Err(AdminError::Invalid(
            "a group name is 1-128 letters, digits, '-', '_' or '.'".into(),
        ));
    }
    let store = |err: crate::ports::StoreError| AdminError::Store(err.to_string());
    let database = SqliteDatabase::open(data_dir).map_err(store)?;
    let key =
        SigningKey::load_or_create(data_dir).map_err(|err| AdminError::Store(err.to_string()))?;
    let provider = LocalIdentityProvider::new(
        database,
        Arc::new(key),
        LocalIdpSettings::default(),
        SystemClock,
    );
    let no_such = || AdminError::Invalid(format!("there is no account called {name}"));
    match (action, group) {
        ("list", _) => {
            let groups = provider
                .groups_of(&username)
                .await
                .map_err(store)?
                .ok_or_else(no_such)?;
            Ok(format!("{name}: {}", groups.join(", ")))
        }
        ("add", Some(group)) => provider
            .add_to_group(&username, group)
            .await
            .map_err(store)?
            .then(|| format!("{name} is in {group} from their next log-in"))
            .ok_or_else(no_such),
        (_, Some(group)) => provider
            .remove_from_group(&username, group)
            .await
            .map_err(store)?
            .then(|| format!("{name} is not in {group} from their next log-in"))
            .ok_or_else(no_such),
        _ => Err(AdminError::Usage),
    }
}

#[cfg(test)]
mod tests {
    use std::{net::SocketAddr, path::Path};

    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[tokio::test]
    async fn a_command_is_checked_before_anything_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::local(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            dir.path(),
            Path::new("."),
        );

        for line in [
            "",
            "group",
            "group add ann",
            "groups add ann beta",
            "group list",
        ] {
            assert!(
                matches!(run(&words(line), &settings).await, Err(AdminError::Usage)),
                "{line:?}"
            );
        }
        let bad_group = run(&words("group add ann two/words"), &settings).await;
        assert!(matches!(bad_group, Err(AdminError::Invalid(_))));
        let nobody = run(&words("group add nobody beta"), &settings)
            .await
            .unwrap_err();
        assert_eq!(nobody.to_string(), "there is no account called nobody");
    }
}

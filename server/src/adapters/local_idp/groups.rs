//! Groups for the local provider, as Cognito's user-pool groups: a person's groups go into
//! their access token's `cognito:groups` claim (at the next log-in or refresh), where
//! feature flags read them. People are put in groups from the command line
//! (`boardwalk group add <username> <group>`), as an admin puts them in Cognito groups.

use rusqlite::{Connection, OptionalExtension, params};

/// Who is in which group.
pub(in crate::adapters) const SCHEMA_GROUPS: &str = "CREATE TABLE user_groups (
            sub TEXT NOT NULL REFERENCES users (sub) ON DELETE CASCADE,
            group_name TEXT NOT NULL,
            PRIMARY KEY (sub, group_name)
        ) STRICT;";

/// A group name as Cognito allows it: 1–128 characters, none of them control characters
/// or spaces (kept simpler here: letters, digits, `-`, `_`, `.`).
pub fn valid_group_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The groups of `sub`, by name.
pub(super) fn of(connection: &Connection, sub: &str) -> rusqlite::Result<Vec<String>> {
    connection
        .prepare("SELECT group_name FROM user_groups WHERE sub = ?1 ORDER BY group_name")?
        .query_map([sub], |row| row.get(0))?
        .collect()
}

/// The `sub` of `username`, if there is such an account.
fn sub_of(connection: &Connection, username: &str) -> rusqlite::Result<Option<String>> {
    connection
        .query_row(
            "SELECT sub FROM users WHERE username = ?1",
            [username],
            |row| row.get(0),
        )
        .optional()
}

/// Puts `username` in `group` (again is fine); `false` when there is no such account.
pub(super) fn add(connection: &Connection, username: &str, group: &str) -> rusqlite::Result<bool> {
    let Some(sub) = sub_of(connection, username)? else {
        return Ok(false);
    };
    connection.execute(
        "INSERT OR IGNORE INTO user_groups (sub, group_name) VALUES (?1, ?2)",
        params![sub, group],
    )?;
    Ok(true)
}

/// Takes `username` out of `group`; `false` when there is no such account.
pub(super) fn remove(
    connection: &Connection,
    username: &str,
    group: &str,
) -> rusqlite::Result<bool> {
    let Some(sub) = sub_of(connection, username)? else {
        return Ok(false);
    };
    connection.execute(
        "DELETE FROM user_groups WHERE sub = ?1 AND group_name = ?2",
        params![sub, group],
    )?;
    Ok(true)
}

/// The groups of `username`; `None` when there is no such account.
pub(super) fn of_username(
    connection: &Connection,
    username: &str,
) -> rusqlite::Result<Option<Vec<String>>> {
    match sub_of(connection, username)? {
        Some(sub) => of(connection, &sub).map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_are_short_and_plain() {
        assert!(valid_group_name("beta") && valid_group_name("premium-2026.q4"));
        for bad in ["", "two words", "a/b", &"x".repeat(129)] {
            assert!(!valid_group_name(bad), "{bad}");
        }
    }
}

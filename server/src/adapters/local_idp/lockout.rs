//! Cognito's lock-out, copied for the local provider: after five log-in attempts in a row
//! that did not succeed, the username is locked for 1 s, doubling with each further failure
//! up to 15 minutes. It counts per username whether or not an account has it, so a lock
//! tells an attacker nothing about existence; a successful log-in clears it, and a day
//! without attempts forgets it.
//!
//! Each attempt is counted *before* the password is checked, in the same transaction as the
//! lock check, so parallel guesses are counted too; the right password then clears the count.

use rusqlite::{Connection, OptionalExtension, params};

/// Attempts before the first lock.
pub(super) const FREE_ATTEMPTS: u32 = 5;
/// The longest lock, in seconds.
pub(super) const MAX_LOCK_SECS: i64 = 15 * 60;
/// A username unseen this long starts afresh.
const FORGET_AFTER_MS: i64 = 24 * 3600 * 1000;

/// Whether an attempt may go ahead.
pub(super) enum Gate {
    /// Go ahead: the attempt is counted.
    Open,
    /// Locked: wait this long.
    Locked {
        /// Milliseconds until the lock ends.
        wait_ms: i64,
    },
}

/// The lock after `attempts` unsuccessful attempts in a row, in milliseconds.
fn lock_ms(attempts: u32) -> i64 {
    let Some(doublings) = attempts.checked_sub(FREE_ATTEMPTS) else {
        return 0;
    };
    let secs = 1_i64
        .checked_shl(doublings)
        .filter(|secs| *secs <= MAX_LOCK_SECS)
        .unwrap_or(MAX_LOCK_SECS);
    secs * 1000
}

/// Refuses an attempt on a locked `username`, or counts it and sets the lock that applies
/// if it fails.
pub(super) fn admit(
    connection: &Connection,
    username: &str,
    now_ms: i64,
) -> rusqlite::Result<Gate> {
    connection.execute(
        "DELETE FROM login_failures WHERE last_attempt_ms < ?1",
        [now_ms - FORGET_AFTER_MS],
    )?;
    let current: Option<(u32, i64)> = connection
        .query_row(
            "SELECT attempts, locked_until_ms FROM login_failures WHERE username = ?1",
            [username],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (attempts, locked_until_ms) = current.unwrap_or((0, 0));
    if locked_until_ms > now_ms {
        return Ok(Gate::Locked {
            wait_ms: locked_until_ms - now_ms,
        });
    }
    let attempts = attempts.saturating_add(1);
    connection.execute(
        "INSERT INTO login_failures (username, attempts, locked_until_ms, last_attempt_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (username) DO UPDATE SET attempts = ?2, locked_until_ms = ?3, last_attempt_ms = ?4",
        params![username, attempts, now_ms + lock_ms(attempts), now_ms],
    )?;
    Ok(Gate::Open)
}

/// The right password: the count starts again.
pub(super) fn succeeded(connection: &Connection, username: &str) -> rusqlite::Result<()> {
    connection.execute("DELETE FROM login_failures WHERE username = ?1", [username])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_starts_at_one_second_after_five_attempts_and_doubles_to_fifteen_minutes() {
        assert_eq!((1..=4).map(lock_ms).collect::<Vec<_>>(), [0, 0, 0, 0]);
        assert_eq!(lock_ms(5), 1_000);
        assert_eq!(lock_ms(6), 2_000);
        assert_eq!(lock_ms(14), 512_000);
        assert_eq!(lock_ms(15), 900_000);
        assert_eq!(lock_ms(u32::MAX), 900_000);
    }
}

//! Paging rules every list shares: page sizes within bounds, and opaque cursors that say
//! "continue below number N" (post ids and message numbers only grow, so a page stays the
//! same while new items arrive above it) or "continue after id X" (oldest-first lists, whose
//! ids sort in writing order).

use app::error::AppError;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Most items per page.
pub const MAX_PAGE_SIZE: u32 = 100;

/// The page size asked for, within 1–100 (default 20).
pub fn page_size(limit: Option<u32>) -> Result<usize, AppError> {
    page_size_or(limit, DEFAULT_PAGE_SIZE)
}

/// The page size asked for, within 1–100, `default` when the client does not say.
pub fn page_size_or(limit: Option<u32>, default: u32) -> Result<usize, AppError> {
    match limit.unwrap_or(default) {
        size @ 1..=MAX_PAGE_SIZE => Ok(usize::try_from(size).unwrap_or(1)),
        _ => Err(AppError::invalid_field(
            "limit",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}."),
        )),
    }
}

/// A cursor for the page that continues below `number`.
pub fn encode_before(number: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("before:{number}"))
}

/// The number a cursor continues below; a cursor this server did not make is a 400.
pub fn decode_before(cursor: &str) -> Result<u64, AppError> {
    let invalid = invalid_cursor;
    let decoded = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = std::str::from_utf8(&decoded).map_err(|_| invalid())?;
    let digits = text.strip_prefix("before:").ok_or_else(invalid)?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    digits.parse().map_err(|_| invalid())
}

/// A cursor for the page that continues after `id`.
pub fn encode_after(id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("after:{id}"))
}

/// The id a cursor continues after, as text for the caller to parse; a cursor this server
/// did not make is a 400.
pub fn decode_after(cursor: &str) -> Result<String, AppError> {
    let decoded = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid_cursor())?;
    let text = String::from_utf8(decoded).map_err(|_| invalid_cursor())?;
    text.strip_prefix("after:")
        .map(str::to_owned)
        .ok_or_else(invalid_cursor)
}

/// The answer to a cursor this server did not give out.
pub fn invalid_cursor() -> AppError {
    AppError::invalid_field("cursor", "The cursor is not one this server gave out.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused_by_field() {
        assert_eq!(decode_before(&encode_before(42)).unwrap(), 42);
        for forged in [
            "42",
            "not base64!",
            &URL_SAFE_NO_PAD.encode("before:0"),
            &URL_SAFE_NO_PAD.encode("before:042"),
            &URL_SAFE_NO_PAD.encode("after:4"),
            &URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
        ] {
            assert_eq!(
                decode_before(forged).unwrap_err().field.as_deref(),
                Some("cursor"),
                "{forged}"
            );
        }
    }

    #[test]
    fn an_after_cursor_round_trips_and_a_before_cursor_is_not_one() {
        assert_eq!(decode_after(&encode_after("abc")).unwrap(), "abc");
        assert!(decode_after(&encode_before(4)).is_err());
        assert!(decode_after("%%%").is_err());
    }

    #[test]
    fn the_page_size_defaults_to_20_and_stays_within_1_to_100() {
        assert_eq!(page_size(None).unwrap(), 20);
        assert_eq!(page_size(Some(1)).unwrap(), 1);
        assert_eq!(page_size(Some(100)).unwrap(), 100);
        for bad in [0, 101, u32::MAX] {
            assert_eq!(
                page_size(Some(bad)).unwrap_err().field.as_deref(),
                Some("limit")
            );
        }
    }
}

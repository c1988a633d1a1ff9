//! What a chat is made of: rooms with ids and names, and messages of plain text.

use super::{FieldError, TextKind, lines_within, plain_text};

/// A room's id as it appears in URLs: opaque, 1–64 characters of letters, digits, `-`, `_`.
/// Ids reveal nothing (a non-member gets the same 404 for an existing room as for a made-up
/// id), so they need not be unguessable, but they are random anyway.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(String);

impl RoomId {
    /// Accepts the id alphabet only.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let valid = (1..=64).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("roomId", "That is not a room id."))
        }
    }
}

impl AsRef<str> for RoomId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RoomId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A room's name: one line of plain text, 1–80 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName(String);

impl RoomName {
    /// Most characters a name may have.
    pub const MAX_CHARS: usize = 80;

    /// Trims surrounding spaces; refuses an empty, too long or not plain name.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(FieldError::new("name", "Give the room a name."));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(
                "name",
                format!("A room name has at most {} characters.", Self::MAX_CHARS),
            ));
        }
        plain_text(name, "name", TextKind::Line)?;
        Ok(Self(name.to_owned()))
    }
}

impl AsRef<str> for RoomName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The text of a message: 1–2,000 characters of plain text, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    /// Most characters a message may have.
    pub const MAX_CHARS: usize = 2_000;

    /// Refuses empty, blank, too long or not plain text.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        lines_within(raw, "text", Self::MAX_CHARS, "message")?;
        Ok(Self(raw.to_owned()))
    }
}

impl AsRef<str> for MessageText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_ids_are_short_and_url_safe() {
        assert!(RoomId::parse("r_8Kq-2").is_ok());
        for bad in ["", "a/b", "a b", "%ff", &"x".repeat(65)] {
            assert_eq!(RoomId::parse(bad).unwrap_err().field, "roomId", "{bad:?}");
        }
    }

    #[test]
    fn a_room_name_is_one_trimmed_line_of_at_most_80_characters() {
        assert_eq!(RoomName::parse("  Team 팀 ").unwrap().as_ref(), "Team 팀");
        for bad in ["", "   ", "two\nlines", &"방".repeat(81), "\u{202E}spoof"] {
            assert_eq!(RoomName::parse(bad).unwrap_err().field, "name", "{bad:?}");
        }
    }

    #[test]
    fn a_message_keeps_its_lines_and_is_bounded() {
        assert_eq!(
            MessageText::parse(" hi\nthere ").unwrap().as_ref(),
            " hi\nthere "
        );
        assert!(MessageText::parse(&"x".repeat(2_000)).is_ok());
        for bad in ["", " \n ", &"x".repeat(2_001), "nul\0"] {
            assert_eq!(
                MessageText::parse(bad).unwrap_err().field,
                "text",
                "{bad:?}"
            );
        }
    }
}

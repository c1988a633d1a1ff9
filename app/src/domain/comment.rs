//! What a comment is made of: an id that sorts in the order comments were written, and
//! plain text.

use super::{FieldError, lines_within};

/// A comment's id: the millisecond it was written (13 digits) and 8 random hex digits, so
/// ids sort oldest first and two comments in the same millisecond still differ.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommentId(String);

impl CommentId {
    /// Accepts exactly the 21-character form. It looks at bytes, never slices the text, so
    /// 21 bytes of multi-byte characters are refused rather than cut mid-character.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let valid = raw.len() == 21
            && raw.bytes().enumerate().all(|(at, b)| match at {
                0..13 => b.is_ascii_digit(),
                _ => matches!(b, b'0'..=b'9' | b'a'..=b'f'),
            });
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("commentId", "That is not a comment id."))
        }
    }

    /// The id of a comment written at `at_ms` with `random` as its tie-breaker.
    pub fn new(at_ms: i64, random: u32) -> Option<Self> {
        (0..10_000_000_000_000)
            .contains(&at_ms)
            .then(|| Self(format!("{at_ms:013}{random:08x}")))
    }
}

impl AsRef<str> for CommentId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CommentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A comment's text: 1–2,000 characters of plain text, line breaks allowed, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentText(String);

impl CommentText {
    /// Most characters a comment may have.
    pub const MAX_CHARS: usize = 2_000;

    /// Refuses empty, blank, too long or not plain text, naming `text`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        lines_within(raw, "text", Self::MAX_CHARS, "comment")?;
        Ok(Self(raw.to_owned()))
    }
}

impl AsRef<str> for CommentText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by schemathesis: 21 bytes whose 13th falls inside a character used to panic.
    #[test]
    fn an_id_of_multi_byte_characters_is_refused_not_cut() {
        for raw in [
            ",S\u{7f}ALÓÊÊ\u{60125}뛧Juk",
            "123456789012\u{e9}abcdef1",
            "ÓÓÓÓÓÓÓÓÓÓx",
        ] {
            assert!(CommentId::parse(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn ids_sort_in_writing_order_and_only_the_exact_form_parses() {
        let earlier = CommentId::new(1_800_000_000_000, u32::MAX).unwrap();
        let later = CommentId::new(1_800_000_000_001, 0).unwrap();
        assert!(earlier < later);
        assert_eq!(CommentId::parse(later.as_ref()).unwrap(), later);
        for bad in [
            "",
            "1800000000001",
            "180000000000100000000X",
            "../1800000000000000000",
        ] {
            assert_eq!(
                CommentId::parse(bad).unwrap_err().field,
                "commentId",
                "{bad}"
            );
        }
        assert_eq!(CommentId::new(-1, 0), None);
    }

    #[test]
    fn text_is_plain_and_at_most_2000_characters() {
        assert!(CommentText::parse("Nice!\nSecond line").is_ok());
        assert!(CommentText::parse(&"가".repeat(2_000)).is_ok());
        assert!(CommentText::parse(&"가".repeat(2_001)).is_err());
        assert!(CommentText::parse("  \n ").is_err());
        assert!(CommentText::parse("bell\u{7}").is_err());
    }
}

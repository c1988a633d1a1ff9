//! What a post is made of. Titles and contents are plain text: the SPA renders them as text,
//! never as HTML, so they are stored exactly as written.

use super::{FieldError, TextKind, plain_text};

/// A post's number: a positive decimal from an atomic counter, never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PostId(u64);

impl PostId {
    /// Accepts the canonical decimal form only (`42`, not `042` or `+42`), so one post has
    /// exactly one address.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("id", "A post number is a whole number from 1 up.");
        if raw.is_empty() || raw.starts_with('0') || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        raw.parse().map(Self).map_err(|_| invalid())
    }

    /// The id a counter handed out; counters start at one.
    pub fn from_counter(value: u64) -> Option<Self> {
        (value > 0).then_some(Self(value))
    }

    /// The number itself.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for PostId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A title: 1–200 characters once surrounding spaces are trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTitle(String);

impl PostTitle {
    /// Most characters a title may have.
    pub const MAX_CHARS: usize = 200;

    /// Trims surrounding spaces; refuses an empty or too long title, and one that is not
    /// [`plain_text`] on one line.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let title = raw.trim();
        let length = title.chars().count();
        if length == 0 {
            return Err(FieldError::new("title", "Give your post a title."));
        }
        plain_text(title, "title", TextKind::Line)?;
        if length > Self::MAX_CHARS {
            return Err(FieldError::new(
                "title",
                format!(
                    "The title is {length} characters; the most is {}.",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(title.to_owned()))
    }
}

impl AsRef<str> for PostTitle {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The text of a post: 1–20,000 characters, kept exactly as written (line breaks matter),
/// but not only spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostContent(String);

impl PostContent {
    /// Most characters a post may have.
    pub const MAX_CHARS: usize = 20_000;

    /// Refuses empty, blank or too long content, and content that is not [`plain_text`].
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let length = raw.chars().count();
        if raw.trim().is_empty() {
            return Err(FieldError::new("content", "Write something in your post."));
        }
        plain_text(raw, "content", TextKind::Lines)?;
        if length > Self::MAX_CHARS {
            return Err(FieldError::new(
                "content",
                format!(
                    "The post is {length} characters; the most is {}.",
                    Self::MAX_CHARS
                ),
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

impl AsRef<str> for PostContent {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_ids_are_canonical_positive_decimals() {
        assert_eq!(PostId::parse("42").unwrap().get(), 42);
        for bad in ["0", "042", "+4", "-4", "4a", "", "99999999999999999999999"] {
            assert!(PostId::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PostId::from_counter(0), None);
    }

    #[test]
    fn a_title_is_trimmed_and_bounded_by_characters_not_bytes() {
        assert_eq!(PostTitle::parse("  Hello ").unwrap().as_ref(), "Hello");
        assert!(PostTitle::parse(&"게".repeat(200)).is_ok());
        assert_eq!(
            PostTitle::parse(&"게".repeat(201)).unwrap_err().field,
            "title"
        );
        assert_eq!(PostTitle::parse("   ").unwrap_err().field, "title");
    }

    #[test]
    fn a_title_with_nul_a_bidi_override_or_only_zero_width_spaces_is_refused() {
        for bad in ["nul\0here", "gnp.\u{202E}exe", "\u{200B}\u{200B}"] {
            assert_eq!(PostTitle::parse(bad).unwrap_err().field, "title", "{bad:?}");
        }
        assert_eq!(PostContent::parse("a\0b").unwrap_err().field, "content");
    }

    #[test]
    fn content_keeps_its_line_breaks_and_is_bounded() {
        assert_eq!(PostContent::parse(" a\n\nb ").unwrap().as_ref(), " a\n\nb ");
        assert!(PostContent::parse(&"x".repeat(20_000)).is_ok());
        assert_eq!(
            PostContent::parse(&"x".repeat(20_001)).unwrap_err().field,
            "content"
        );
        assert_eq!(PostContent::parse("\n \t").unwrap_err().field, "content");
    }
}

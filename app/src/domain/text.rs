//! What plain text may contain. Titles, posts and every other text people write go through
//! [`plain_text`], so one rule keeps invisible or misleading characters out: control
//! characters (NUL included) corrupt logs and terminals; bidi embedding, override and isolate
//! controls make a title read differently from what it says; a title of zero-width spaces
//! looks empty.

use super::FieldError;

/// Where the text appears, which decides what layout it may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line (a title, a name): no line breaks, no tabs, no bidi controls.
    Line,
    /// Several lines (a post, a comment): line breaks and tabs are kept; bidi controls are
    /// allowed, since right-to-left writers need them and the page isolates each text.
    Lines,
}

/// Characters that take no space: text made only of these (and spaces) looks empty.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{180E}'
        )
}

/// Bidi embedding, override and isolate controls (the marks LRM/RLM are fine).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks `raw` for `field` and says, in words for a person, what is wrong with it.
pub fn plain_text(raw: &str, field: &'static str, kind: TextKind) -> Result<(), FieldError> {
    let layout_allowed = |c: char| kind == TextKind::Lines && matches!(c, '\n' | '\r' | '\t');
    if raw.chars().any(|c| c.is_control() && !layout_allowed(c)) {
        let what = match kind {
            TextKind::Line => "control characters or line breaks",
            TextKind::Lines => "control characters",
        };
        return Err(FieldError::new(
            field,
            format!("This text contains {what}."),
        ));
    }
    if kind == TextKind::Line && raw.chars().any(is_bidi_control) {
        return Err(FieldError::new(
            field,
            "This text contains hidden direction controls.",
        ));
    }
    if raw.chars().all(is_invisible) {
        return Err(FieldError::new(
            field,
            "This text has nothing visible in it.",
        ));
    }
    Ok(())
}

/// Checks a text of several lines (a message, a comment) for `field`: something visible, at
/// most `max` characters (the refusal says how long the `what` is), and [`plain_text`].
pub fn lines_within(
    raw: &str,
    field: &'static str,
    max: usize,
    what: &str,
) -> Result<(), FieldError> {
    if raw.trim().is_empty() {
        return Err(FieldError::new(field, "Write something first."));
    }
    let length = raw.chars().count();
    if length > max {
        return Err(FieldError::new(
            field,
            format!("The {what} is {length} characters; the most is {max}."),
        ));
    }
    plain_text(raw, field, TextKind::Lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for text in ["Hello", "게시판 공지", "مرحبا", "emoji 🎉", "a\u{200F}b"] {
            assert!(plain_text(text, "title", TextKind::Line).is_ok(), "{text}");
        }
        assert!(plain_text("line one\nline\ttwo\r\n", "content", TextKind::Lines).is_ok());
    }

    #[test]
    fn nul_and_other_control_characters_are_refused_everywhere() {
        for text in ["a\0b", "bell\u{7}", "esc\u{1b}[31m", "c1\u{85}"] {
            for kind in [TextKind::Line, TextKind::Lines] {
                assert_eq!(
                    plain_text(text, "f", kind).unwrap_err().field,
                    "f",
                    "{text:?}"
                );
            }
        }
        assert!(plain_text("two\nlines", "title", TextKind::Line).is_err());
    }

    #[test]
    fn bidi_overrides_are_refused_in_a_line_but_not_in_a_body() {
        let spoof = "invoice\u{202E}fdp.exe";
        assert!(plain_text(spoof, "title", TextKind::Line).is_err());
        assert!(plain_text("\u{2067}isolated\u{2069}", "title", TextKind::Line).is_err());
        assert!(plain_text(spoof, "content", TextKind::Lines).is_ok());
    }

    #[test]
    fn text_with_nothing_visible_is_refused() {
        for text in ["", "   ", "\u{200B}\u{200B}", " \u{FEFF} \u{2060}"] {
            assert!(
                plain_text(text, "title", TextKind::Line).is_err(),
                "{text:?}"
            );
        }
    }
}

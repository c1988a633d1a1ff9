//! The languages Boardwalk speaks. The SPA shows every string in one of them, and the
//! confirmation email is written in the one the person signed up in.

use super::FieldError;

/// A language of the SPA and its emails. English is what a browser that asks for neither
/// gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    /// `en`.
    #[default]
    English,
    /// `ko`: the board's first users write Korean.
    Korean,
}

impl Language {
    /// Every language, in the order the language menu offers them.
    pub const ALL: [Self; 2] = [Self::English, Self::Korean];

    /// The BCP 47 tag, as `<html lang>`, `Intl` and the sign-up request use it.
    pub fn tag(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Korean => "ko",
        }
    }

    /// The language's name in itself, so a person finds theirs whatever is shown now.
    pub fn native_name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::Korean => "한국어",
        }
    }

    /// Exactly `en` or `ko`: what a client sends when it says which language it wants.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL
            .into_iter()
            .find(|language| language.tag() == raw)
            .ok_or_else(|| FieldError::new("language", "The language is \"en\" or \"ko\"."))
    }

    /// The first of a browser's preferred languages (`navigator.languages`, best first)
    /// that Boardwalk speaks, matched on the primary subtag (`ko-KR` is Korean); English
    /// when none is.
    pub fn negotiate<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Self {
        preferred
            .into_iter()
            .find_map(|tag| {
                let primary = tag.split(['-', '_']).next().unwrap_or_default();
                Self::ALL
                    .into_iter()
                    .find(|language| language.tag().eq_ignore_ascii_case(primary))
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_back_to_their_language_and_nothing_else_parses() {
        for language in Language::ALL {
            assert_eq!(Language::parse(language.tag()), Ok(language));
        }
        for wrong in ["", "EN", "ko-KR", "fr", " ko"] {
            assert_eq!(Language::parse(wrong).unwrap_err().field, "language");
        }
    }

    #[test]
    fn the_first_preferred_language_spoken_here_wins() {
        assert_eq!(Language::negotiate(["ko-KR", "en-US"]), Language::Korean);
        assert_eq!(Language::negotiate(["fr-FR", "KO", "en"]), Language::Korean);
        assert_eq!(Language::negotiate(["en-GB", "ko"]), Language::English);
        assert_eq!(Language::negotiate(["ja", "zh-Hans"]), Language::English);
        assert_eq!(Language::negotiate([]), Language::English);
    }
}

//! What an account is made of. The password rules equal the Cognito user pool's policy in
//! `infra/template.yaml`, so the local default and AWS accept the same passwords.

use super::FieldError;

/// A login name: 3–32 characters of ASCII letters, digits, `.`, `_` or `-`, compared without
/// regard to case (as the user pool does, `CaseSensitive: false`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Shortest and longest accepted name.
    pub const LENGTH: std::ops::RangeInclusive<usize> = 3..=32;

    /// Trims surrounding spaces and lower-cases, so `Alice` and `alice ` are one account.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let name = raw.trim().to_ascii_lowercase();
        if !Self::LENGTH.contains(&name.chars().count()) {
            return Err(FieldError::new(
                "username",
                "Username must be 3 to 32 characters long.",
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(FieldError::new(
                "username",
                "Username may only contain letters, digits, '.', '_' and '-'.",
            ));
        }
        Ok(Self(name))
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A password that meets the policy. Its `Debug` hides it, so it cannot leak into a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Fewest characters accepted.
    pub const MIN_LENGTH: usize = 10;
    /// Most characters accepted (Cognito's own limit).
    pub const MAX_LENGTH: usize = 256;
    /// Each rule as a person reads it, and whether `raw` meets it: the sign-up form ticks
    /// them off while the person types, and [`Self::parse`] requires all of them.
    pub fn rules(raw: &str) -> [(&'static str, bool); 3] {
        [
            (
                "at least 10 characters",
                raw.chars().count() >= Self::MIN_LENGTH,
            ),
            (
                "an upper-case and a lower-case letter",
                raw.chars().any(char::is_uppercase) && raw.chars().any(char::is_lowercase),
            ),
            ("a digit", raw.chars().any(|c| c.is_ascii_digit())),
        ]
    }

    /// The refusal when a new password breaks the policy, listing every rule.
    pub fn policy_error() -> FieldError {
        let rules: Vec<&str> = Self::rules("").iter().map(|(rule, _)| *rule).collect();
        FieldError::new("password", format!("Password needs {}.", rules.join(", ")))
    }

    /// Checks the policy for a new password.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let meets_policy =
            raw.chars().count() <= Self::MAX_LENGTH && Self::rules(raw).iter().all(|(_, met)| *met);
        if !meets_policy {
            return Err(Self::policy_error());
        }
        Ok(Self(raw.to_owned()))
    }

    /// A password typed at log-in: only non-empty, since policies may have changed since it
    /// was set and a wrong one is answered like any wrong password.
    pub fn presented(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty() || raw.chars().count() > Self::MAX_LENGTH {
            return Err(FieldError::new("password", "Enter your password."));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret itself, for the identity provider only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<hidden>)")
    }
}

/// An email address: one `@`, something before it, a dotted domain after it, at most 254
/// characters. Whether it exists is what the confirmation code proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Trims spaces and lower-cases the domain.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("email", "Enter an email address like name@example.com.");
        let raw = raw.trim();
        let (local, domain) = raw.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@');
        if local.is_empty() || !domain_ok || raw.len() > 254 || raw.chars().any(char::is_whitespace)
        {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// The six-digit code sent to confirm an email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationCode(String);

impl ConfirmationCode {
    /// Accepts exactly six digits, ignoring surrounding spaces.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let code = raw.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "code",
                "The code is the six digits from the email.",
            ));
        }
        Ok(Self(code.to_owned()))
    }
}

impl AsRef<str> for ConfirmationCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_is_trimmed_and_lower_cased() {
        assert_eq!(Username::parse("  Alice_1 ").unwrap().as_ref(), "alice_1");
    }

    #[test]
    fn usernames_too_short_too_long_or_with_odd_characters_are_refused_by_field() {
        for raw in ["ab", &"x".repeat(33), "al ice", "al@ice", "álice", ""] {
            let err = Username::parse(raw).unwrap_err();
            assert_eq!(err.field, "username", "{raw}");
        }
    }

    #[test]
    fn a_password_needs_length_both_cases_and_a_digit() {
        assert!(Password::parse("Correct1Horse").is_ok());
        for weak in ["Short1a", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"] {
            assert_eq!(Password::parse(weak).unwrap_err().field, "password");
        }
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let password = Password::parse("Correct1Horse").unwrap();
        assert!(!format!("{password:?}").contains("Horse"));
    }

    #[test]
    fn a_presented_password_only_has_to_be_non_empty() {
        assert!(Password::presented("x").is_ok());
        assert!(Password::presented("").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            Email::parse(" Bob@Example.COM ").unwrap().as_ref(),
            "Bob@example.com"
        );
        for bad in [
            "bob",
            "@example.com",
            "bob@example",
            "bob@.com",
            "bob@example.",
            "b ob@example.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad}");
        }
    }

    #[test]
    fn a_code_is_exactly_six_digits() {
        assert_eq!(
            ConfirmationCode::parse(" 012345 ").unwrap().as_ref(),
            "012345"
        );
        for bad in ["12345", "1234567", "12a456", ""] {
            assert!(ConfirmationCode::parse(bad).is_err(), "{bad}");
        }
    }
}

//! The refresh cookie: its name, its attributes, and reading the session out of a request.
//! Services only say what becomes of the session ([`SessionCookie`]); this file decides what
//! that looks like on the wire.

use app::services::{PresentedSession, SessionCookie, SessionHandle};
use axum::http::{HeaderMap, header};
use cookie::{Cookie, SameSite, time::Duration};

/// The refresh cookie's name.
pub const REFRESH_COOKIE: &str = "boardwalk_refresh";
/// Where the browser sends the refresh cookie: only the routes that read it.
pub const REFRESH_COOKIE_PATH: &str = "/api/auth";

/// How long the browser keeps the refresh cookie: at most the refresh token's lifetime.
#[derive(Debug, Clone, Copy)]
pub struct RefreshCookie {
    max_age_secs: u64,
}

impl RefreshCookie {
    /// A cookie that lives `max_age_secs`.
    pub fn new(max_age_secs: u64) -> Self {
        Self { max_age_secs }
    }

    /// The `Set-Cookie` value for `change`, if it changes anything.
    pub fn set_cookie(self, change: &SessionCookie) -> Option<String> {
        match change {
            SessionCookie::Unchanged => None,
            SessionCookie::Set(session) => {
                let value = format!("{}:{}", session.subject, session.refresh_token);
                let max_age = i64::try_from(self.max_age_secs).unwrap_or(i64::MAX);
                Some(refresh_cookie(value, Duration::seconds(max_age)))
            }
            SessionCookie::Clear => Some(refresh_cookie(String::new(), Duration::ZERO)),
        }
    }
}

/// A `Set-Cookie` value for the refresh cookie with every attribute the token rules demand.
fn refresh_cookie(value: String, max_age: Duration) -> String {
    Cookie::build((REFRESH_COOKIE, value))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path(REFRESH_COOKIE_PATH)
        .max_age(max_age)
        .build()
        .to_string()
}

/// Every refresh cookie in the request: none, one, or (when another site planted one)
/// several. A malformed one counts, so it cannot hide a second one behind it.
pub fn session_from(headers: &HeaderMap) -> PresentedSession {
    let mut found: Vec<Option<SessionHandle>> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(|cookie| cookie.name() == REFRESH_COOKIE)
        .map(|cookie| {
            let (subject, token) = cookie.value().split_once(':')?;
            (!subject.is_empty() && !token.is_empty()).then(|| SessionHandle {
                subject: subject.to_owned(),
                refresh_token: token.to_owned(),
            })
        })
        .collect();
    match found.len() {
        0 => PresentedSession::Absent,
        1 => found
            .pop()
            .flatten()
            .map_or(PresentedSession::Absent, PresentedSession::One),
        _ => PresentedSession::Ambiguous(found.into_iter().flatten().collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn cookies(value: &str) -> HeaderMap {
        HeaderMap::from_iter([(header::COOKIE, HeaderValue::from_str(value).unwrap())])
    }

    fn session() -> SessionHandle {
        SessionHandle {
            subject: "sub".into(),
            refresh_token: "token".into(),
        }
    }

    #[test]
    fn the_refresh_cookie_is_http_only_secure_strict_and_scoped() {
        let cookie = RefreshCookie::new(60)
            .set_cookie(&SessionCookie::Set(session()))
            .unwrap();
        for attribute in [
            "boardwalk_refresh=sub:token",
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/api/auth",
            "Max-Age=60",
        ] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
    }

    #[test]
    fn clearing_expires_the_cookie_and_unchanged_sends_nothing() {
        let policy = RefreshCookie::new(60);
        let cleared = policy.set_cookie(&SessionCookie::Clear).unwrap();
        assert!(cleared.contains("Max-Age=0") && cleared.contains("Path=/api/auth"));
        assert_eq!(policy.set_cookie(&SessionCookie::Unchanged), None);
    }

    #[test]
    fn the_session_is_read_from_among_other_cookies() {
        let found = session_from(&cookies("theme=dark; boardwalk_refresh=abc:tok.en; x=1"));
        let expected = SessionHandle {
            subject: "abc".into(),
            refresh_token: "tok.en".into(),
        };
        assert_eq!(found, PresentedSession::One(expected));
        assert_eq!(
            session_from(&cookies("boardwalk_refresh=notoken")),
            PresentedSession::Absent
        );
        assert_eq!(session_from(&HeaderMap::new()), PresentedSession::Absent);
    }

    #[test]
    fn two_refresh_cookies_are_ambiguous_even_when_one_is_malformed() {
        let two = session_from(&cookies("boardwalk_refresh=a:1; boardwalk_refresh=b:2"));
        assert!(matches!(two, PresentedSession::Ambiguous(ref all) if all.len() == 2));
        let planted = session_from(&cookies("boardwalk_refresh=junk; boardwalk_refresh=b:2"));
        assert!(matches!(planted, PresentedSession::Ambiguous(ref all) if all.len() == 1));
    }
}

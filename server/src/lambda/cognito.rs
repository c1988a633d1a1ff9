//! Cognito triggers, one function for the user pool's two:
//!
//! - [`pre_sign_up`]: the app's rules applied where a client could otherwise go around them.
//!   The user pool's app client is public (the SPA's own `SignUp` goes through the server,
//!   but anyone holding the client id can call Cognito directly), so the pool runs it on
//!   every sign-up and refuses what the app itself would refuse.
//! - [`custom_message`]: the confirmation email in the language the person signed up in
//!   (their `locale` attribute), with the same words as the local mailbox.

use app::domain::{Email, Language, Username};
use serde_json::{Value, json};

use crate::ports::ConfirmationEmail;

/// How long Cognito's confirmation codes stay valid, as the email says.
const COGNITO_CODE_HOURS: u64 = 24;

/// Answers one trigger event by its `triggerSource`; sources this function is not
/// configured for come back unchanged.
pub fn handle(event: Value) -> Result<Value, Refused> {
    let source = event
        .get("triggerSource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if source.starts_with("PreSignUp_") {
        pre_sign_up(event)
    } else if source.starts_with("CustomMessage_") {
        Ok(custom_message(event))
    } else {
        Ok(event)
    }
}

/// Why a sign-up was refused; Cognito shows the message to the caller as
/// `UserLambdaValidationException`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(String);

/// Cognito's pre sign-up event, answered unchanged (no auto-confirmation) when the username
/// and email meet the app's rules, refused otherwise.
pub fn pre_sign_up(event: Value) -> Result<Value, Refused> {
    let username = event
        .get("userName")
        .and_then(Value::as_str)
        .ok_or_else(|| Refused("The sign-up names no username.".into()))?;
    let parsed = Username::parse(username).map_err(|err| Refused(err.message))?;
    if parsed.as_ref() != username {
        return Err(Refused(
            "Usernames are lower case with no surrounding spaces.".into(),
        ));
    }
    let email = event
        .pointer("/request/userAttributes/email")
        .and_then(Value::as_str)
        .ok_or_else(|| Refused("The sign-up has no email address.".into()))?;
    Email::parse(email).map_err(|err| Refused(err.message))?;
    Ok(event)
}

/// Cognito's custom message event for a sign-up or a code sent again, answered with the
/// confirmation email in the person's `locale` (English when it is missing or unknown).
/// Other messages (forgotten password, attribute changes) keep the pool's own text.
pub fn custom_message(mut event: Value) -> Value {
    let source = event
        .get("triggerSource")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !matches!(source, "CustomMessage_SignUp" | "CustomMessage_ResendCode") {
        return event;
    }
    let language = event
        .pointer("/request/userAttributes/locale")
        .and_then(Value::as_str)
        .and_then(|locale| Language::parse(locale).ok())
        .unwrap_or_default();
    let placeholder = event
        .pointer("/request/codeParameter")
        .and_then(Value::as_str)
        .unwrap_or("{####}")
        .to_owned();
    let email = ConfirmationEmail::new(language, &placeholder, COGNITO_CODE_HOURS);
    event["response"] = json!({
        "smsMessage": null,
        "emailSubject": email.subject,
        "emailMessage": email.body,
    });
    event
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(username: &str, email: &str) -> Value {
        json!({
            "version": "1", "triggerSource": "PreSignUp_SignUp", "region": "eu-west-1",
            "userPoolId": "eu-west-1_abc", "userName": username,
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown", "clientId": "client"},
            "request": {"userAttributes": {"email": email}, "validationData": null},
            "response": {"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false}
        })
    }

    #[test]
    fn a_sign_up_the_app_would_accept_passes_unchanged() {
        let accepted = event("alice_1", "alice@example.com");
        assert_eq!(pre_sign_up(accepted.clone()).unwrap(), accepted);
    }

    #[test]
    fn names_and_addresses_the_app_would_refuse_are_refused_directly_too() {
        for (username, email) in [
            ("al", "a@example.com"),
            ("al ice", "a@example.com"),
            ("álice", "a@example.com"),
            ("Alice", "a@example.com"),
            ("alice", "not-an-email"),
        ] {
            assert!(
                pre_sign_up(event(username, email)).is_err(),
                "{username} {email}"
            );
        }
        assert!(pre_sign_up(json!({"request": {}})).is_err());
    }

    fn message_event(source: &str, locale: Option<&str>) -> Value {
        let mut attributes = json!({"email": "minji@example.com", "sub": "abc"});
        if let Some(locale) = locale {
            attributes["locale"] = json!(locale);
        }
        json!({
            "version": "1", "triggerSource": source, "region": "ap-northeast-2",
            "userPoolId": "ap-northeast-2_abc", "userName": "minji",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown", "clientId": "client"},
            "request": {"userAttributes": attributes, "codeParameter": "{####}", "usernameParameter": null},
            "response": {"smsMessage": null, "emailMessage": null, "emailSubject": null}
        })
    }

    #[test]
    fn the_confirmation_email_follows_the_locale_signed_up_in_and_keeps_the_code() {
        for source in ["CustomMessage_SignUp", "CustomMessage_ResendCode"] {
            let korean = handle(message_event(source, Some("ko"))).unwrap();
            let message = korean["response"]["emailMessage"].as_str().unwrap();
            assert!(
                message.contains("{####}") && message.contains("인증 코드"),
                "{message}"
            );
            assert_eq!(korean["response"]["emailSubject"], "게시판 인증 코드");

            for english in [None, Some("en"), Some("fr")] {
                let answer = handle(message_event(source, english)).unwrap();
                let expected = ConfirmationEmail::new(Language::English, "{####}", 24);
                assert_eq!(answer["response"]["emailMessage"], expected.body.as_str());
            }
        }
    }

    #[test]
    fn other_messages_and_other_triggers_pass_unchanged() {
        let forgot = message_event("CustomMessage_ForgotPassword", Some("ko"));
        assert_eq!(handle(forgot.clone()).unwrap(), forgot);
        let unknown = json!({"triggerSource": "PostConfirmation_ConfirmSignUp"});
        assert_eq!(handle(unknown.clone()).unwrap(), unknown);
        assert!(handle(event("al", "a@example.com")).is_err());
    }
}

//! Cognito triggers: the app's rules applied where a client could otherwise go around them.
//! The user pool's app client is public (the SPA's own `SignUp` goes through the server, but
//! anyone holding the client id can call Cognito directly), so the pool runs
//! [`pre_sign_up`] on every sign-up and refuses what the app itself would refuse.

use app::domain::{Email, Username};
use serde_json::Value;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}

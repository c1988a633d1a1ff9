//! The JWTs the local provider issues, shaped like Cognito's so one verifier and one SPA
//! handle both.

use serde::Serialize;

use super::{Account, LocalIdpSettings};
use crate::{
    auth::signing::SigningKey,
    ports::{IdentityError, IssuedTokens},
};
use app::services::SessionHandle;

#[derive(Serialize)]
struct AccessClaims<'a> {
    sub: &'a str,
    username: &'a str,
    client_id: &'a str,
    token_use: &'static str,
    scope: &'static str,
    iss: &'a str,
    iat: u64,
    auth_time: u64,
    exp: u64,
    jti: String,
    /// As Cognito: only present for someone in a group.
    #[serde(
        rename = "cognito:groups",
        skip_serializing_if = "<[String]>::is_empty"
    )]
    groups: &'a [String],
}

#[derive(Serialize)]
struct IdClaims<'a> {
    sub: &'a str,
    #[serde(rename = "cognito:username")]
    username: &'a str,
    email: &'a str,
    email_verified: bool,
    aud: &'a str,
    iss: &'a str,
    token_use: &'static str,
    iat: u64,
    auth_time: u64,
    exp: u64,
    jti: String,
}

/// Access and ID tokens for `account`, valid from `now`, with `session` when one was opened
/// or rotated.
pub(super) fn issue(
    key: &SigningKey,
    settings: &LocalIdpSettings,
    account: &Account,
    now: u64,
    session: Option<SessionHandle>,
) -> Result<IssuedTokens, IdentityError> {
    let exp = now + settings.access_token_secs;
    let access = AccessClaims {
        sub: &account.sub,
        username: &account.username,
        client_id: &settings.client_id,
        token_use: "access",
        scope: "aws.cognito.signin.user.admin",
        iss: &settings.issuer,
        iat: now,
        auth_time: now,
        exp,
        jti: uuid::Uuid::new_v4().to_string(),
        groups: &account.groups,
    };
    let id = IdClaims {
        sub: &account.sub,
        username: &account.username,
        email: &account.email,
        email_verified: account.confirmed,
        aud: &settings.client_id,
        iss: &settings.issuer,
        token_use: "id",
        iat: now,
        auth_time: now,
        exp,
        jti: uuid::Uuid::new_v4().to_string(),
    };
    let sign_failed = |err| IdentityError::Unavailable(Box::new(err));
    Ok(IssuedTokens {
        access_token: key.sign(&access).map_err(sign_failed)?,
        id_token: key.sign(&id).map_err(sign_failed)?,
        expires_in: settings.access_token_secs,
        session,
    })
}

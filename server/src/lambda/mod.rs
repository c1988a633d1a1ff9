//! What a Lambda instance of this binary does, chosen by `BOARDWALK_LAMBDA_HANDLER`:
//!
//! - `http` (the default): the API function. API Gateway invokes it with HTTP API events
//!   (handed to the axum Router through `lambda_http`) and with WebSocket API events
//!   (`$connect`, `$disconnect`, `$default`; see [`websocket`]). One function serves both, so
//!   they share one configuration and one role: a small dispatcher looks at each event's
//!   shape first.
//! - `cognito-triggers`: the user pool's pre sign-up and custom message triggers
//!   ([`cognito`]).

pub mod cognito;
pub mod websocket;

use axum::Router;
use lambda_http::{
    Context, LambdaEvent, Service, lambda_runtime::Diagnostic, request::LambdaRequest, service_fn,
};
use serde_json::Value;

use crate::http::AppState;

/// Which handler a Lambda instance of this binary runs (`BOARDWALK_LAMBDA_HANDLER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LambdaHandler {
    /// API Gateway's HTTP and WebSocket events (`http`, the default).
    Api,
    /// Cognito's pre sign-up and custom message triggers (`cognito-triggers`).
    CognitoTriggers,
}

impl LambdaHandler {
    /// The handler named by `raw`, or why it is unknown.
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(str::trim) {
            None | Some("" | "http") => Ok(Self::Api),
            Some("cognito-triggers") => Ok(Self::CognitoTriggers),
            Some(other) => Err(format!(
                "BOARDWALK_LAMBDA_HANDLER is {other:?}; expected http or cognito-triggers"
            )),
        }
    }
}

/// Runs the Cognito triggers until the runtime stops.
pub async fn run_cognito_triggers() -> Result<(), lambda_http::Error> {
    lambda_http::lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        cognito::handle(event.payload).map_err(|refused| Diagnostic {
            error_type: "SignUpRefused".into(),
            error_message: refused.to_string(),
        })
    }))
    .await
}

/// Runs the API function until the runtime stops.
pub async fn run_api(router: Router, state: AppState) -> Result<(), lambda_http::Error> {
    lambda_http::lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let (router, state) = (router.clone(), state.clone());
        async move { dispatch(router, &state, event.payload, event.context).await }
    }))
    .await
}

/// Sends a WebSocket API event to [`websocket`] and anything else to the Router, and
/// returns the response in the shape API Gateway expects.
pub async fn dispatch(
    router: Router,
    state: &AppState,
    event: Value,
    context: Context,
) -> Result<Value, lambda_http::Error> {
    if let Some(socket_event) = websocket::SocketEvent::from_event(&event) {
        return Ok(websocket::handle(state, socket_event).await);
    }
    let request: LambdaRequest = serde_json::from_value(event)?;
    let response = lambda_http::Adapter::from(router)
        .call(LambdaEvent::new(request, context))
        .await?;
    Ok(serde_json::to_value(response)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handler_is_the_api_unless_named() {
        assert_eq!(LambdaHandler::parse(None), Ok(LambdaHandler::Api));
        assert_eq!(LambdaHandler::parse(Some("http")), Ok(LambdaHandler::Api));
        assert_eq!(
            LambdaHandler::parse(Some("cognito-triggers")),
            Ok(LambdaHandler::CognitoTriggers)
        );
        assert!(LambdaHandler::parse(Some("websocket?")).is_err());
    }
}

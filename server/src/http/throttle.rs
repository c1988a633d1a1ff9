//! The per-client-address budget for account attempts (log-in, sign-up, confirm, resend),
//! whichever surface they come through. It stops one address from guessing passwords or
//! codes across many accounts, or flooding sign-ups; each account's own lock-out lives in the
//! identity provider (Cognito's, or the local provider's copy of it).
//!
//! The address is API Gateway's `requestContext.http.sourceIp` on Lambda and the TCP peer
//! locally, never a header the client can set (`X-Forwarded-For`). On Lambda the budget is
//! per instance: concurrent instances each keep their own, so it bounds a single client's
//! burst, while API Gateway's route throttles and the WAF rate rule are the global limits.

use std::{
    net::{IpAddr, Ipv4Addr, SocketAddr},
    num::NonZeroU32,
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

use app::error::AppError;
use axum::{
    Router,
    extract::{ConnectInfo, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
};
use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock as _, DefaultClock},
};
use lambda_http::request::RequestContext;

use super::ApiError;
use crate::configuration::AttemptBudget;

/// The paths that spend the budget: every way to try a password or a code, or to create an
/// account, on both surfaces.
const ACCOUNT_ATTEMPTS: &[&str] = &[
    "/api/auth/login",
    "/api/auth/signup",
    "/api/auth/confirmEmail",
    "/api/auth/resendEmail",
    "/api/auth/fn/log_in",
    "/api/fn/sign_up",
    "/api/fn/confirm_email",
    "/api/fn/resend_email",
];

/// How often stale addresses are dropped from memory, in checks.
const PRUNE_EVERY: u32 = 4096;

/// The address a request came from, as the platform (not the client) says.
pub fn client_address<B>(request: &axum::http::Request<B>) -> Option<IpAddr> {
    if let Some(RequestContext::ApiGatewayV2(context)) = request.extensions().get() {
        return context.http.source_ip.as_deref()?.parse().ok();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip())
}

/// One token bucket per client address.
pub struct AttemptLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    checks: AtomicU32,
}

impl AttemptLimiter {
    /// Buckets holding `budget.burst`, refilled at `budget.per_hour`.
    pub fn new(budget: AttemptBudget) -> Self {
        let period = Duration::from_secs(3600) / budget.per_hour.max(1);
        let burst = NonZeroU32::new(budget.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst);
        Self {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
            checks: AtomicU32::new(0),
        }
    }

    /// Spends one attempt of `address`, or says how long until it has one.
    pub fn spend(&self, address: IpAddr) -> Result<(), Duration> {
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
        {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

/// Puts the budget in front of the account attempts among `routes`.
pub fn limit_account_attempts(routes: Router, budget: AttemptBudget) -> Router {
    let limiter = Arc::new(AttemptLimiter::new(budget));
    routes.layer(middleware::from_fn_with_state(limiter, spend_attempt))
}

async fn spend_attempt(
    State(limiter): State<Arc<AttemptLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    if !ACCOUNT_ATTEMPTS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let address = client_address(&request).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match limiter.spend(address) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            tracing::warn!(%address, "account attempts over budget");
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            ApiError(AppError::throttled(seconds.max(1))).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_burst_then_waits_and_others_are_unaffected() {
        let limiter = AttemptLimiter::new(AttemptBudget {
            per_hour: 120,
            burst: 3,
        });
        let attacker: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.spend(attacker).is_ok());
        }
        let wait = limiter.spend(attacker).unwrap_err();
        assert!(
            wait <= Duration::from_secs(30) && wait > Duration::from_secs(25),
            "{wait:?}"
        );
        assert!(limiter.spend("198.51.100.1".parse().unwrap()).is_ok());
    }

    #[test]
    fn the_address_is_api_gateways_source_ip_not_a_forwarded_header() {
        let event = serde_json::json!({
            "version": "2.0", "routeKey": "$default", "rawPath": "/api/auth/login",
            "rawQueryString": "", "headers": {"x-forwarded-for": "10.9.9.9"},
            "requestContext": {
                "accountId": "1", "apiId": "a", "domainName": "a", "domainPrefix": "a",
                "http": {"method": "POST", "path": "/api/auth/login", "protocol": "HTTP/1.1",
                         "sourceIp": "203.0.113.7", "userAgent": "x"},
                "requestId": "r", "routeKey": "$default", "stage": "$default",
                "time": "21/Nov/2026:21:00:00 +0000", "timeEpoch": 0
            },
            "isBase64Encoded": false
        });
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        assert_eq!(
            client_address(&request),
            Some("203.0.113.7".parse().unwrap())
        );
    }
}

//! The Boardwalk server: one axum Router, served by `axum::serve` on a loopback port or by
//! `lambda_http` on AWS Lambda.
//!
//! Layout (ports and adapters):
//! - [`configuration`]: settings from `BOARDWALK_*` environment variables.
//! - [`startup`]: wires adapters into services and services into the Router.
//! - [`auth`]: signing (local provider) and verifying access tokens.
//! - [`http`]: the thin edge — REST routes, server functions, static files, middleware.
//! - [`services`]: the rules, generic over ports and free of HTTP and SDK types.
//! - [`ports`]: the traits services need from the outside world, one per file.
//! - [`adapters`]: SQLite and DynamoDB implementations of those traits.
//! - [`telemetry`]: logs (JSON on Lambda) with a request id in every line.
//! - [`admin`]: the local administrator's commands (groups).
//! - [`lambda`]: what a Lambda instance runs: the API (HTTP and WebSocket events) or the
//!   Cognito pre sign-up trigger.

pub mod adapters;
pub mod admin;
pub mod auth;
pub mod configuration;
pub mod http;
pub mod lambda;
pub mod ports;
pub mod services;
pub mod startup;
pub mod telemetry;

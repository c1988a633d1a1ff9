//! Integration tests: the real server on a random loopback port, the Lambda adapter fed API
//! Gateway events, and the contract suites that every adapter of a port must pass.

mod abuse;
mod accounts;
mod api;
mod caching;
mod chat;
mod chat_store_contract;
mod comment_store_contract;
mod comments;
mod counter_store_contract;
mod flags;
mod flags_contract;
mod helpers;
mod identity_provider_contract;
mod lambda;
mod live_contract;
mod management_api;
mod media;
mod media_catalog_contract;
mod media_store_contract;
mod moto;
mod openapi;
mod post_store_contract;
mod posts;
#[path = "../shared/samples.rs"]
mod samples;
mod server_fns;
mod site;

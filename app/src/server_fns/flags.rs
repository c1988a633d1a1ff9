//! Feature flags as they apply to whoever asks (a visitor too).

use leptos::prelude::*;
use server_fn::codec::Json;

use crate::{client::BearerClient, dto::FlagsResponse, error::AppError};

#[cfg(feature = "ssr")]
use crate::services::{FlagService, service};

/// The flags for the signed-in person, or for a visitor.
#[server(prefix = "/api/fn", endpoint = "get_flags", input = Json, client = BearerClient)]
pub async fn get_flags() -> Result<FlagsResponse, AppError> {
    let viewer = super::ssr::viewer()?;
    service::<dyn FlagService>()?.flags(viewer.as_ref()).await
}

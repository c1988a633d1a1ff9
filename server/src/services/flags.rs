//! Feature flags on the server: what `GET /api/flags` tells a person, and the gate each
//! flagged service stands behind, so a feature that is off for someone is refused to them
//! (404, as if it did not exist) on every surface, not only hidden in the SPA.

use std::sync::Arc;

use app::{
    dto::{FlagState, FlagsResponse},
    error::AppError,
    services::{Caller, FlagService},
};
use async_trait::async_trait;

use crate::ports::FeatureFlags;

/// The flag service every surface calls.
pub struct Flags {
    source: Arc<dyn FeatureFlags>,
}

impl Flags {
    /// Flags whose rules come from `source`.
    pub fn new(source: Arc<dyn FeatureFlags>) -> Self {
        Self { source }
    }
}

#[async_trait]
impl FlagService for Flags {
    async fn flags(&self, caller: Option<&Caller>) -> Result<FlagsResponse, AppError> {
        let rules = self.source.rules().await;
        let flags = rules
            .evaluate(caller)
            .into_iter()
            .map(|(name, (enabled, attributes))| {
                (
                    name,
                    FlagState {
                        enabled,
                        attributes,
                    },
                )
            })
            .collect();
        Ok(FlagsResponse { flags })
    }
}

/// One flag standing in front of a service.
#[derive(Clone)]
pub struct FlagGate {
    source: Arc<dyn FeatureFlags>,
    flag: &'static str,
}

impl FlagGate {
    /// The gate of `flag`, read from `source`.
    pub fn new(source: Arc<dyn FeatureFlags>, flag: &'static str) -> Self {
        Self { source, flag }
    }

    /// Lets `who` (`None`: a visitor) through if the flag is on for them; otherwise the
    /// feature is not there for them at all (404).
    pub async fn admit(&self, who: Option<&Caller>) -> Result<(), AppError> {
        if self.source.rules().await.enabled(self.flag, who) {
            Ok(())
        } else {
            Err(AppError::not_found("This feature is not available."))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::{
        ports::{CHAT, FlagRule, FlagRules},
        services::fakes::{FixedFlags, caller},
    };

    #[tokio::test]
    async fn a_gate_admits_whom_the_flag_is_on_for_and_hides_the_feature_from_the_rest() {
        let source = Arc::new(FixedFlags::new(FlagRules::new(BTreeMap::from([(
            CHAT.to_owned(),
            FlagRule::for_group("early"),
        )]))));
        let gate = FlagGate::new(source.clone(), CHAT);
        let mut early = caller("ann");
        early.groups = vec!["early".into()];

        assert!(gate.admit(Some(&early)).await.is_ok());
        let refused = gate.admit(Some(&caller("bob"))).await.unwrap_err();
        assert_eq!(refused.code, app::error::ErrorCode::NotFound);
        assert!(gate.admit(None).await.is_err());

        let told = Flags::new(source).flags(Some(&early)).await.unwrap();
        assert!(told.enabled(CHAT) && told.enabled("pictures") && !told.enabled("beta"));
    }
}

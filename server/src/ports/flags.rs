//! Feature flags: the rules a flag document states ([`FlagRules`]), where the document comes
//! from ([`FeatureFlags`]: AppConfig or a local file), and how a rule applies to one person.
//!
//! A rule is an AppConfig feature flag's value: `enabled`, plus attributes. Boardwalk reads
//! three attributes as targeting (documented in the README):
//! - `kill: true` turns the flag off for everyone, whatever else it says;
//! - `groups: ["beta", …]` turns it on for people in any of those groups;
//! - `percentage: 0–100` turns it on for that share of signed-in people, chosen by a hash of
//!   the flag's name and their `sub`, so a person stays on one side as the share grows.
//!
//! With neither `groups` nor `percentage`, `enabled` alone decides. Other attributes (a
//! daily limit, say) are handed to the client as they are.

use std::collections::BTreeMap;

use app::services::Caller;
use async_trait::async_trait;
use serde_json::Value;

/// The chat rooms and their socket.
pub const CHAT: &str = "chat";
/// Profile pictures and images in posts.
pub const PICTURES: &str = "pictures";
/// Comments under posts.
pub const COMMENTS: &str = "comments";
/// Things being tried on a small group first (the post editor's live preview).
pub const BETA: &str = "beta";
/// The group the `beta` flag is on for when no document says otherwise.
pub const BETA_GROUP: &str = "beta";

/// One flag's rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagRule {
    /// Whether the flag is on at all.
    pub enabled: bool,
    /// Off for everyone when set.
    pub kill: bool,
    /// On for people in these groups.
    pub groups: Option<Vec<String>>,
    /// On for this share (0–100) of signed-in people.
    pub percentage: Option<u8>,
    /// Everything else the value carries, for the client.
    pub attributes: BTreeMap<String, Value>,
}

impl FlagRule {
    /// A rule on for everyone.
    pub fn on() -> Self {
        Self {
            enabled: true,
            kill: false,
            groups: None,
            percentage: None,
            attributes: BTreeMap::new(),
        }
    }

    /// A rule on for one group only.
    pub fn for_group(group: &str) -> Self {
        Self {
            groups: Some(vec![group.to_owned()]),
            ..Self::on()
        }
    }

    /// Whether the flag is on for `who` (`None`: a visitor, in no group and no share).
    pub fn applies_to(&self, name: &str, who: Option<&Caller>) -> bool {
        if self.kill || !self.enabled {
            return false;
        }
        if self.groups.is_none() && self.percentage.is_none() {
            return true;
        }
        let Some(who) = who else {
            return false;
        };
        let in_group = self
            .groups
            .iter()
            .flatten()
            .any(|group| who.groups.contains(group));
        let in_share = self
            .percentage
            .is_some_and(|share| bucket(name, &who.sub) < share);
        in_group || in_share
    }
}

/// Where a person falls, 0–99, for flag `name`: the same every time, and independent from
/// one flag to the next.
pub fn bucket(name: &str, sub: &str) -> u8 {
    let digest = aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        format!("{name}\u{0}{sub}").as_bytes(),
    );
    let first = u32::from_be_bytes([
        digest.as_ref()[0],
        digest.as_ref()[1],
        digest.as_ref()[2],
        digest.as_ref()[3],
    ]);
    u8::try_from(first % 100).unwrap_or(0)
}

/// Every flag's rule, as a document states them; flags it does not name keep their
/// defaults.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlagRules {
    rules: BTreeMap<String, FlagRule>,
}

impl FlagRules {
    /// The rules a document states.
    pub fn new(rules: BTreeMap<String, FlagRule>) -> Self {
        Self { rules }
    }

    /// The rule for `name`: the document's, or the default (chat, pictures and comments on
    /// for everyone; beta on for the `beta` group).
    pub fn rule(&self, name: &str) -> Option<FlagRule> {
        self.rules.get(name).cloned().or_else(|| match name {
            CHAT | PICTURES | COMMENTS => Some(FlagRule::on()),
            BETA => Some(FlagRule::for_group(BETA_GROUP)),
            _ => None,
        })
    }

    /// Whether `name` is on for `who`; a flag with no rule is off.
    pub fn enabled(&self, name: &str, who: Option<&Caller>) -> bool {
        self.rule(name)
            .is_some_and(|rule| rule.applies_to(name, who))
    }

    /// Every flag (the known ones and any the document adds) with its state for `who` and
    /// its attributes.
    pub fn evaluate(
        &self,
        who: Option<&Caller>,
    ) -> BTreeMap<String, (bool, BTreeMap<String, Value>)> {
        [CHAT, PICTURES, COMMENTS, BETA]
            .into_iter()
            .map(str::to_owned)
            .chain(self.rules.keys().cloned())
            .filter_map(|name| {
                let rule = self.rule(&name)?;
                let enabled = rule.applies_to(&name, who);
                Some((name, (enabled, rule.attributes)))
            })
            .collect()
    }
}

/// Where flag rules come from. Reading never waits on the source for long and never fails:
/// a source that is down or sends a bad document leaves the last good rules in force.
#[async_trait]
pub trait FeatureFlags: Send + Sync {
    /// The rules in force now.
    async fn rules(&self) -> std::sync::Arc<FlagRules>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(sub: &str, groups: &[&str]) -> Caller {
        Caller {
            sub: sub.to_owned(),
            username: sub.to_owned(),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        }
    }

    #[test]
    fn known_flags_default_to_on_and_beta_to_its_group() {
        let rules = FlagRules::default();
        let (anna, tester) = (person("a", &[]), person("b", &["beta"]));
        for flag in [CHAT, PICTURES, COMMENTS] {
            assert!(rules.enabled(flag, None) && rules.enabled(flag, Some(&anna)));
        }
        assert!(!rules.enabled(BETA, Some(&anna)) && !rules.enabled(BETA, None));
        assert!(rules.enabled(BETA, Some(&tester)));
        assert!(!rules.enabled("unknown", Some(&tester)));
    }

    #[test]
    fn the_kill_switch_wins_over_everything() {
        let killed = FlagRule {
            kill: true,
            groups: Some(vec!["vip".into()]),
            percentage: Some(100),
            ..FlagRule::on()
        };
        assert!(!killed.applies_to(CHAT, Some(&person("a", &["vip"]))));
        assert!(!killed.applies_to(CHAT, None));
    }

    #[test]
    fn a_group_rule_is_on_for_its_members_only_and_never_for_visitors() {
        let rule = FlagRule::for_group("premium");
        assert!(rule.applies_to(CHAT, Some(&person("a", &["premium", "x"]))));
        assert!(!rule.applies_to(CHAT, Some(&person("b", &["x"]))));
        assert!(!rule.applies_to(CHAT, None));
    }

    #[test]
    fn a_percentage_is_a_stable_share_that_only_grows() {
        let share = |percentage| FlagRule {
            percentage: Some(percentage),
            ..FlagRule::on()
        };
        let people: Vec<Caller> = (0..2000)
            .map(|n| person(&format!("sub-{n}"), &[]))
            .collect();
        let on = |percentage| {
            people
                .iter()
                .filter(|p| share(percentage).applies_to(CHAT, Some(p)))
                .count()
        };
        let (ten, fifty) = (on(10), on(50));
        assert!((150..250).contains(&ten), "{ten} of 2000 at 10%");
        assert!((900..1100).contains(&fifty), "{fifty} of 2000 at 50%");
        assert_eq!(on(0), 0);
        assert_eq!(on(100), 2000);
        for p in &people {
            if share(10).applies_to(CHAT, Some(p)) {
                assert!(
                    share(50).applies_to(CHAT, Some(p)),
                    "nobody flickers off as it grows"
                );
            }
        }
        assert_eq!(bucket(CHAT, "sub-1"), bucket(CHAT, "sub-1"));
    }

    #[test]
    fn the_documents_flags_and_attributes_are_all_evaluated() {
        let mut extra = FlagRule::on();
        extra.attributes.insert("dailyLimit".into(), Value::from(5));
        let rules = FlagRules::new(BTreeMap::from([
            ("uploads".to_owned(), extra),
            (
                CHAT.to_owned(),
                FlagRule {
                    enabled: false,
                    ..FlagRule::on()
                },
            ),
        ]));
        let all = rules.evaluate(None);
        assert_eq!(
            all["uploads"],
            (
                true,
                BTreeMap::from([("dailyLimit".into(), Value::from(5))])
            )
        );
        assert!(!all[CHAT].0);
        assert!(all[PICTURES].0);
        assert_eq!(all.len(), 5);
    }
}

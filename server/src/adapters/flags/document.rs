//! AppConfig's feature-flag format, which both adapters read: the whole document
//! (`{"version": "1", "flags": {…}, "values": {…}}`, what is uploaded to AppConfig and what
//! the local file holds) and the values alone (what AppConfig's data plane returns).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::ports::{FlagRule, FlagRules};

/// Why a flag document was not taken; the last good rules stay in force.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct DocumentError(String);

fn invalid(message: impl Into<String>) -> DocumentError {
    DocumentError(message.into())
}

/// A new installation's flags: everything on, the beta flag for the `beta` group.
pub const DEFAULT_DOCUMENT: &str = r#"{
  "version": "1",
  "flags": {
    "chat": { "name": "Chat", "description": "Chat rooms and their live socket" },
    "pictures": { "name": "Pictures", "description": "Profile pictures and images in posts" },
    "comments": { "name": "Comments", "description": "Comments under posts" },
    "beta": {
      "name": "Beta",
      "description": "Features being tried on a group first: the post editor's live preview",
      "attributes": {
        "groups": { "constraints": { "type": "array", "elements": { "type": "string" } } }
      }
    }
  },
  "values": {
    "chat": { "enabled": true },
    "pictures": { "enabled": true },
    "comments": { "enabled": true },
    "beta": { "enabled": true, "groups": ["beta"] }
  }
}
"#;

/// The rules of a whole document: version 1, and a value for declared flags only.
pub fn from_document(document: &Value) -> Result<FlagRules, DocumentError> {
    if document.get("version").and_then(Value::as_str) != Some("1") {
        return Err(invalid("the document's \"version\" must be \"1\""));
    }
    let declared = document
        .get("flags")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the document has no \"flags\" object"))?;
    let values = document
        .get("values")
        .ok_or_else(|| invalid("the document has no \"values\" object"))?;
    if let Some(undeclared) = values
        .as_object()
        .and_then(|values| values.keys().find(|name| !declared.contains_key(*name)))
    {
        return Err(invalid(format!(
            "\"values\" sets {undeclared:?}, which \"flags\" does not declare"
        )));
    }
    from_values(values)
}

/// The rules of a values map: `{"<flag>": {"enabled": bool, …attributes}}`.
pub fn from_values(values: &Value) -> Result<FlagRules, DocumentError> {
    let values = values
        .as_object()
        .ok_or_else(|| invalid("the flag values are not an object"))?;
    values
        .iter()
        .map(|(name, value)| rule(name, value).map(|rule| (name.clone(), rule)))
        .collect::<Result<BTreeMap<_, _>, _>>()
        .map(FlagRules::new)
}

fn rule(name: &str, value: &Value) -> Result<FlagRule, DocumentError> {
    let fields = value
        .as_object()
        .ok_or_else(|| invalid(format!("flag {name:?} is not an object")))?;
    let mut attributes: BTreeMap<String, Value> = fields.clone().into_iter().collect();
    let enabled = attributes
        .remove("enabled")
        .as_ref()
        .and_then(Value::as_bool)
        .ok_or_else(|| invalid(format!("flag {name:?} needs \"enabled\": true or false")))?;
    let kill = match attributes.remove("kill") {
        None => false,
        Some(Value::Bool(kill)) => kill,
        Some(_) => {
            return Err(invalid(format!(
                "flag {name:?}: \"kill\" must be true or false"
            )));
        }
    };
    let groups = match attributes.remove("groups") {
        None => None,
        Some(Value::Array(groups)) => Some(
            groups
                .iter()
                .map(|group| group.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid(format!("flag {name:?}: \"groups\" must be names")))?,
        ),
        Some(_) => return Err(invalid(format!("flag {name:?}: \"groups\" must be a list"))),
    };
    let percentage = match attributes.remove("percentage") {
        None => None,
        Some(value) => Some(
            value
                .as_u64()
                .filter(|share| *share <= 100)
                .and_then(|share| u8::try_from(share).ok())
                .ok_or_else(|| {
                    invalid(format!("flag {name:?}: \"percentage\" must be 0 to 100"))
                })?,
        ),
    };
    Ok(FlagRule {
        enabled,
        kill,
        groups,
        percentage,
        attributes,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::ports::{BETA, CHAT};

    #[test]
    fn the_default_document_is_a_valid_appconfig_document() {
        let document: Value = serde_json::from_str(DEFAULT_DOCUMENT).unwrap();
        let rules = from_document(&document).unwrap();
        assert_eq!(
            rules.rule(BETA).unwrap().groups,
            Some(vec!["beta".to_owned()])
        );
        assert!(rules.rule(CHAT).unwrap().enabled);
    }

    #[test]
    fn targeting_attributes_are_read_and_the_rest_kept() {
        let rules = from_values(&json!({
            "chat": {"enabled": true, "groups": ["vip"], "percentage": 25, "kill": false, "dailyLimit": 3}
        }))
        .unwrap();
        let chat = rules.rule(CHAT).unwrap();
        assert_eq!(chat.groups, Some(vec!["vip".to_owned()]));
        assert_eq!((chat.percentage, chat.kill), (Some(25), false));
        assert_eq!(
            chat.attributes,
            BTreeMap::from([("dailyLimit".to_owned(), json!(3))])
        );
    }

    #[test]
    fn a_bad_document_says_what_is_wrong() {
        for (document, says) in [
            (
                json!({"version": "2", "flags": {}, "values": {}}),
                "version",
            ),
            (
                json!({"version": "1", "flags": {}, "values": {"chat": {"enabled": true}}}),
                "declare",
            ),
            (
                json!({"version": "1", "flags": {"chat": {}}, "values": {"chat": {}}}),
                "enabled",
            ),
            (
                json!({"version": "1", "flags": {"chat": {}}, "values": {"chat": {"enabled": true, "percentage": 150}}}),
                "percentage",
            ),
            (
                json!({"version": "1", "flags": {"chat": {}}, "values": {"chat": {"enabled": true, "groups": "vip"}}}),
                "groups",
            ),
        ] {
            let err = from_document(&document).unwrap_err();
            assert!(err.0.contains(says), "{err} should mention {says}");
        }
    }
}

//! The POST policy document S3 defines for browser uploads: an expiry and the conditions
//! every form field and the file must meet, base64-encoded and signed. S3 checks it for the
//! S3 adapter; [`check`] applies the same rules for the local one, so both refuse the same
//! forms.

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use time::{OffsetDateTime, format_description::well_known::Iso8601};

use crate::ports::{UploadPolicy, UploadRefused};

/// Form fields S3 never asks a policy about.
const UNCHECKED_FIELDS: [&str; 2] = ["policy", "file"];

/// The policy for `policy`, plus exact-match conditions on `extra` fields (S3's signing
/// fields), as the base64 text that is signed and sent as the `policy` field.
pub fn encode(policy: &UploadPolicy, extra: &[(&str, &str)]) -> String {
    let mut conditions = vec![
        json!({ "key": policy.key.as_ref() }),
        json!({ "Content-Type": policy.content_type.mime() }),
        json!(["content-length-range", 1, policy.max_bytes]),
    ];
    conditions.extend(extra.iter().map(|(name, value)| json!({ *name: *value })));
    let document = json!({
        "expiration": expiration(policy.expires_at_ms),
        "conditions": conditions,
    });
    STANDARD.encode(document.to_string())
}

/// ISO 8601 in UTC with milliseconds, as S3 wants `expiration`.
fn expiration(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Checks a posted form against its (already authenticated) base64 `encoded` policy at
/// `now_ms`, with a file of `file_bytes`: unexpired, every condition met, and no field the
/// policy does not name (`signature_field` aside). Returns when the form expires, in
/// milliseconds since the Unix epoch.
pub fn check(
    encoded: &str,
    fields: &BTreeMap<String, String>,
    file_bytes: u64,
    now_ms: i64,
    signature_field: &str,
) -> Result<i64, UploadRefused> {
    let forbidden = UploadRefused::Forbidden;
    let document: Value = STANDARD
        .decode(encoded)
        .ok()
        .and_then(|raw| serde_json::from_slice(&raw).ok())
        .ok_or(forbidden("unreadable policy"))?;
    let expires = document["expiration"]
        .as_str()
        .and_then(|raw| OffsetDateTime::parse(raw, &Iso8601::DEFAULT).ok())
        .ok_or(forbidden("no expiration"))?;
    let expires_ms = i64::try_from(expires.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| forbidden("an expiration out of range"))?;
    if expires_ms < now_ms {
        return Err(forbidden("the form expired"));
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    };
    let mut named = vec![signature_field.to_owned()];
    for condition in document["conditions"]
        .as_array()
        .ok_or(forbidden("no conditions"))?
    {
        match condition {
            Value::Object(exact) => {
                for (name, expected) in exact {
                    if field(name) != expected.as_str() {
                        return Err(forbidden("a field differs from the policy"));
                    }
                    named.push(name.to_ascii_lowercase());
                }
            }
            Value::Array(rule) if rule.first() == Some(&json!("content-length-range")) => {
                let bound = |at: usize| rule.get(at).and_then(Value::as_u64);
                let (Some(min), Some(max)) = (bound(1), bound(2)) else {
                    return Err(forbidden("a malformed size condition"));
                };
                if !(min..=max).contains(&file_bytes) {
                    return Err(UploadRefused::Size);
                }
            }
            _ => return Err(forbidden("a condition this server does not know")),
        }
    }
    let unnamed = fields.keys().any(|name| {
        let name = name.to_ascii_lowercase();
        !UNCHECKED_FIELDS.contains(&name.as_str()) && !named.contains(&name)
    });
    if unnamed {
        return Err(forbidden("a field the policy does not name"));
    }
    Ok(expires_ms)
}

#[cfg(test)]
mod tests {
    use app::domain::{ImageType, MediaId};

    use super::*;
    use crate::ports::MediaKey;

    const NOW_MS: i64 = 1_800_000_000_000;
    const SIGNATURE: &str = "x-signature";

    fn policy() -> UploadPolicy {
        let id = MediaId::parse("0123456789abcdef0123456789abcdef", "id").unwrap();
        UploadPolicy {
            key: MediaKey::upload("owner", &id).unwrap(),
            content_type: ImageType::Png,
            max_bytes: 100,
            expires_at_ms: NOW_MS + 300_000,
        }
    }

    fn form(encoded: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("key".into(), policy().key.as_ref().to_owned()),
            ("Content-Type".into(), "image/png".into()),
            ("policy".into(), encoded.into()),
            (SIGNATURE.into(), "sig".into()),
        ])
    }

    #[test]
    fn the_document_is_s3s_shape() {
        let encoded = encode(&policy(), &[("x-amz-algorithm", "AWS4-HMAC-SHA256")]);
        let document: Value = serde_json::from_slice(&STANDARD.decode(encoded).unwrap()).unwrap();
        assert_eq!(document["expiration"], "2027-01-15T08:05:00.000Z");
        assert_eq!(
            document["conditions"],
            json!([
                {"key": "uploads/owner/0123456789abcdef0123456789abcdef"},
                {"Content-Type": "image/png"},
                ["content-length-range", 1, 100],
                {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
            ])
        );
    }

    #[test]
    fn a_form_that_matches_its_policy_passes() {
        let encoded = encode(&policy(), &[]);
        assert!(check(&encoded, &form(&encoded), 100, NOW_MS, SIGNATURE).is_ok());
    }

    #[test]
    fn a_changed_key_or_type_is_forbidden() {
        let encoded = encode(&policy(), &[]);
        for (name, value) in [
            (
                "key",
                "uploads/someone-else/0123456789abcdef0123456789abcdef",
            ),
            ("Content-Type", "text/html"),
        ] {
            let mut forged = form(&encoded);
            forged.insert(name.into(), value.into());
            assert!(matches!(
                check(&encoded, &forged, 10, NOW_MS, SIGNATURE),
                Err(UploadRefused::Forbidden(_))
            ));
        }
    }

    #[test]
    fn a_field_the_policy_does_not_name_is_forbidden() {
        let encoded = encode(&policy(), &[]);
        let mut extra = form(&encoded);
        extra.insert("acl".into(), "public-read".into());
        assert!(check(&encoded, &extra, 10, NOW_MS, SIGNATURE).is_err());
    }

    #[test]
    fn sizes_outside_the_range_and_late_forms_are_refused() {
        let encoded = encode(&policy(), &[]);
        for size in [0, 101] {
            assert!(matches!(
                check(&encoded, &form(&encoded), size, NOW_MS, SIGNATURE),
                Err(UploadRefused::Size)
            ));
        }
        let late = NOW_MS + 300_001;
        assert!(check(&encoded, &form(&encoded), 10, late, SIGNATURE).is_err());
    }
}

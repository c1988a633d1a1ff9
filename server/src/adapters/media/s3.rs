//! [`MediaStore`] on S3: one private bucket, uploads under `uploads/`, served variants under
//! `media/` (CloudFront reads them through Origin Access Control).
//!
//! The SDK presigns GET and PUT but not POST, and only a POST policy can bound an upload's
//! size, so the policy is built here ([`super::policy`]) and signed with SigV4's own key
//! derivation (`aws-sigv4`), from the same credentials the SDK uses.

use std::time::SystemTime;

use app::domain::ImageType;
use async_trait::async_trait;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_s3::{Client, operation::get_object::GetObjectError, primitives::ByteStream};
use aws_sigv4::sign::v4::{calculate_signature, generate_signing_key};
use time::OffsetDateTime;

use super::policy;
use crate::ports::{MediaKey, MediaStore, ReadError, StoreError, UploadPolicy, UploadTarget};

/// How browsers and CloudFront may cache a served variant: its name is its content hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where the bucket is and how to sign for it.
#[derive(Clone)]
pub struct S3Settings {
    /// The bucket.
    pub bucket: String,
    /// Its region, which the signature names.
    pub region: String,
    /// An endpoint override (an emulator such as moto): forms go to `<endpoint>/<bucket>`
    /// instead of `https://<bucket>.s3.<region>.amazonaws.com`.
    pub endpoint_url: Option<String>,
}

impl S3Settings {
    /// Where browsers post forms.
    pub fn upload_url(&self) -> String {
        match &self.endpoint_url {
            Some(endpoint) => format!("{}/{}", endpoint.trim_end_matches('/'), self.bucket),
            None => format!("https://{}.s3.{}.amazonaws.com", self.bucket, self.region),
        }
    }
}

/// Objects in one bucket.
#[derive(Clone)]
pub struct S3MediaStore {
    client: Client,
    credentials: SharedCredentialsProvider,
    settings: S3Settings,
}

impl S3MediaStore {
    /// Objects in `settings.bucket` through `client`; forms signed with `credentials`.
    pub fn new(
        client: Client,
        credentials: SharedCredentialsProvider,
        settings: S3Settings,
    ) -> Self {
        Self {
            client,
            credentials,
            settings,
        }
    }
}

/// `20261202T085000Z` and `20261202`, as SigV4 writes the signing time and date.
fn amz_times(at: SystemTime) -> (String, String) {
    let at = OffsetDateTime::from(at);
    let date = format!("{:04}{:02}{:02}", at.year(), u8::from(at.month()), at.day());
    let time = format!(
        "{date}T{:02}{:02}{:02}Z",
        at.hour(),
        at.minute(),
        at.second()
    );
    (time, date)
}

#[async_trait]
impl MediaStore for S3MediaStore {
    async fn presign_upload(&self, upload: &UploadPolicy) -> Result<UploadTarget, StoreError> {
        let credentials = self
            .credentials
            .provide_credentials()
            .await
            .map_err(StoreError::unavailable)?;
        let now = SystemTime::now();
        let (amz_date, date) = amz_times(now);
        let region = &self.settings.region;
        let credential = format!(
            "{}/{date}/{region}/s3/aws4_request",
            credentials.access_key_id()
        );
        let mut signed = vec![
            ("bucket", self.settings.bucket.as_str()),
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            ("x-amz-credential", credential.as_str()),
            ("x-amz-date", amz_date.as_str()),
        ];
        if let Some(token) = credentials.session_token() {
            signed.push(("x-amz-security-token", token));
        }
        let encoded = policy::encode(upload, &signed);
        let signing_key = generate_signing_key(credentials.secret_access_key(), now, region, "s3");
        let signature = calculate_signature(signing_key, encoded.as_bytes());
        let mut fields: std::collections::BTreeMap<String, String> = signed
            .into_iter()
            .filter(|(name, _)| *name != "bucket")
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        fields.insert("key".into(), upload.key.as_ref().to_owned());
        fields.insert("Content-Type".into(), upload.content_type.mime().to_owned());
        fields.insert("policy".into(), encoded);
        fields.insert("x-amz-signature".into(), signature);
        Ok(UploadTarget {
            url: self.settings.upload_url(),
            fields,
        })
    }

    async fn read(&self, key: &MediaKey, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
        let output = match self
            .client
            .get_object()
            .bucket(&self.settings.bucket)
            .key(key.as_ref())
            .send()
            .await
        {
            Ok(output) => output,
            Err(err) if matches!(err.as_service_error(), Some(GetObjectError::NoSuchKey(_))) => {
                return Err(ReadError::Missing);
            }
            Err(err) => return Err(StoreError::unavailable(err).into()),
        };
        let declared = output
            .content_length()
            .and_then(|length| u64::try_from(length).ok())
            .unwrap_or_default();
        if declared > max_bytes {
            return Err(ReadError::TooLarge(declared));
        }
        let bytes = output
            .body
            .collect()
            .await
            .map_err(StoreError::unavailable)?
            .to_vec();
        ReadError::bounded(bytes, max_bytes)
    }

    async fn write_variant(
        &self,
        key: &MediaKey,
        bytes: Vec<u8>,
        kind: ImageType,
    ) -> Result<(), StoreError> {
        self.client
            .put_object()
            .bucket(&self.settings.bucket)
            .key(key.as_ref())
            .content_type(kind.mime())
            .cache_control(IMMUTABLE)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }

    async fn delete(&self, key: &MediaKey) -> Result<(), StoreError> {
        self.client
            .delete_object()
            .bucket(&self.settings.bucket)
            .key(key.as_ref())
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_times_are_sigv4s_compact_utc() {
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_123);
        assert_eq!(
            amz_times(at),
            ("20270115T080203Z".to_owned(), "20270115".to_owned())
        );
    }

    #[test]
    fn forms_go_to_the_bucket_or_the_emulator() {
        let mut settings = S3Settings {
            bucket: "media-bucket".into(),
            region: "eu-west-1".into(),
            endpoint_url: None,
        };
        assert_eq!(
            settings.upload_url(),
            "https://media-bucket.s3.eu-west-1.amazonaws.com"
        );
        settings.endpoint_url = Some("http://127.0.0.1:5000/".into());
        assert_eq!(settings.upload_url(), "http://127.0.0.1:5000/media-bucket");
    }

    /// Recomputes the signature the way S3 does, from nothing but the form: the credential
    /// scope in `x-amz-credential` names the date, region and service of the key.
    #[tokio::test]
    async fn the_signature_is_over_the_policy_with_the_key_the_credential_scope_names() {
        use app::domain::MediaId;
        use aws_credential_types::Credentials;
        use aws_lc_rs::hmac;

        let credentials = Credentials::new(
            "AKIDEXAMPLE",
            "secret/key",
            Some("token".into()),
            None,
            "test",
        );
        let config = aws_sdk_s3::Config::builder()
            .behavior_version_latest()
            .region(aws_sdk_s3::config::Region::new("eu-west-1"))
            .build();
        let store = S3MediaStore::new(
            Client::from_conf(config),
            SharedCredentialsProvider::new(credentials),
            S3Settings {
                bucket: "media-bucket".into(),
                region: "eu-west-1".into(),
                endpoint_url: None,
            },
        );
        let id = MediaId::parse("0123456789abcdef0123456789abcdef", "id").unwrap();
        let target = store
            .presign_upload(&UploadPolicy {
                key: MediaKey::upload("owner", &id).unwrap(),
                content_type: ImageType::Jpeg,
                max_bytes: 1000,
                expires_at_ms: 1_800_000_000_000,
            })
            .await
            .unwrap();

        let fields = &target.fields;
        let scope: Vec<&str> = fields["x-amz-credential"].split('/').collect();
        assert_eq!(scope[0], "AKIDEXAMPLE");
        assert_eq!(&scope[2..], ["eu-west-1", "s3", "aws4_request"]);
        assert!(fields["x-amz-date"].starts_with(scope[1]));
        assert_eq!(fields["x-amz-security-token"], "token");
        let mut signing_key = b"AWS4secret/key".to_vec();
        for part in &scope[1..] {
            let key = hmac::Key::new(hmac::HMAC_SHA256, &signing_key);
            signing_key = hmac::sign(&key, part.as_bytes()).as_ref().to_vec();
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, &signing_key);
        let expected: String = hmac::sign(&key, fields["policy"].as_bytes())
            .as_ref()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(fields["x-amz-signature"], expected);
        let policy = policy::check(
            &fields["policy"],
            &{
                let mut form = fields.clone();
                form.insert("bucket".into(), "media-bucket".into());
                form
            },
            1000,
            0,
            "x-amz-signature",
        );
        assert!(policy.is_ok(), "{policy:?}");
    }
}

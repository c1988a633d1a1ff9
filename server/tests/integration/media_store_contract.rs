//! The `MediaStore` contract: local files (the embedded default, with its upload route
//! served as the app serves it) and S3 (through moto) take the same signed form, read back
//! the same bytes, and forget the same objects.
//!
//! moto does not check POST policies or signatures, so what S3 itself refuses (a changed
//! key, a file over the size range) is checked here on the local adapter only; the S3
//! adapter's policy and signature are unit-tested in `adapters::media::s3`.

use std::{collections::BTreeMap, sync::Arc};

use app::domain::{ImageType, MediaId};
use server::{
    adapters::media::{LocalMediaStore, S3MediaStore, S3Settings},
    http::media::local_upload_router,
    ports::{MediaKey, MediaStore, ReadError, SystemClock, UploadPolicy, UploadTarget},
};

use crate::moto::{create_bucket, moto, sdk_config, unique_table};

/// A store; for the local one, the base URL of its upload route and its directory.
struct Fresh {
    store: Arc<dyn MediaStore>,
    base_url: String,
    _dir: Option<tempfile::TempDir>,
}

macro_rules! media_store_contract {
    ($adapter:ident, $fresh:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn a_signed_form_uploads_a_file_that_reads_back() {
                super::a_signed_form_uploads_a_file_that_reads_back($fresh).await;
            }

            #[tokio::test]
            async fn reading_is_bounded_and_a_missing_object_is_missing() {
                super::reading_is_bounded_and_a_missing_object_is_missing($fresh).await;
            }

            #[tokio::test]
            async fn variants_are_written_and_deleted() {
                super::variants_are_written_and_deleted($fresh).await;
            }
        }
    };
}

media_store_contract!(local_files, local_store().await);
media_store_contract!(s3, s3_store().await);

async fn local_store() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalMediaStore::new(dir.path(), SystemClock).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, local_upload_router(store.clone())).into_future());
    Fresh {
        store,
        base_url,
        _dir: Some(dir),
    }
}

async fn s3_store() -> Fresh {
    let bucket = unique_table("media");
    let client = create_bucket(&bucket).await;
    let config = sdk_config().await;
    let store = S3MediaStore::new(
        client,
        config.credentials_provider().unwrap(),
        S3Settings {
            bucket,
            region: "us-east-1".into(),
            endpoint_url: Some(moto().endpoint.clone()),
        },
    );
    Fresh {
        store: Arc::new(store),
        base_url: String::new(),
        _dir: None,
    }
}

fn upload_key(n: u8) -> MediaKey {
    MediaKey::upload(
        "owner-1",
        &MediaId::parse(&format!("{n:032x}"), "id").unwrap(),
    )
    .unwrap()
}

fn policy(key: &MediaKey, max_bytes: u64) -> UploadPolicy {
    UploadPolicy {
        key: key.clone(),
        content_type: ImageType::Png,
        max_bytes,
        expires_at_ms: SystemClock.now_ms() + 300_000,
    }
}

use server::ports::Clock as _;

/// Posts `fields` and `file` as a browser would: every field, then the file last.
pub async fn post_form(
    base_url: &str,
    target_url: &str,
    fields: &BTreeMap<String, String>,
    file: Vec<u8>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text(name.clone(), value.clone());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(file).file_name("picture.png"),
    );
    let url = if target_url.starts_with('/') {
        format!("{base_url}{target_url}")
    } else {
        target_url.to_owned()
    };
    reqwest::Client::new()
        .post(url)
        .multipart(form)
        .send()
        .await
        .expect("the upload target answers")
}

async fn upload(fresh: &Fresh, target: &UploadTarget, file: Vec<u8>) -> reqwest::Response {
    post_form(&fresh.base_url, &target.url, &target.fields, file).await
}

async fn a_signed_form_uploads_a_file_that_reads_back(fresh: Fresh) {
    let key = upload_key(1);
    let target = fresh
        .store
        .presign_upload(&policy(&key, 100))
        .await
        .unwrap();

    let answer = upload(&fresh, &target, b"pretend png".to_vec()).await;

    assert!(answer.status().is_success(), "{}", answer.status());
    assert_eq!(fresh.store.read(&key, 100).await.unwrap(), b"pretend png");
    assert_eq!(target.fields["key"], key.as_ref());
    assert_eq!(target.fields["Content-Type"], "image/png");
    assert!(target.fields.contains_key("policy"));
}

async fn reading_is_bounded_and_a_missing_object_is_missing(fresh: Fresh) {
    let key = upload_key(2);
    assert!(matches!(
        fresh.store.read(&key, 10).await,
        Err(ReadError::Missing)
    ));
    let target = fresh
        .store
        .presign_upload(&policy(&key, 100))
        .await
        .unwrap();
    upload(&fresh, &target, vec![7; 50]).await;

    assert!(matches!(
        fresh.store.read(&key, 49).await,
        Err(ReadError::TooLarge(50))
    ));
    assert_eq!(fresh.store.read(&key, 50).await.unwrap().len(), 50);
}

async fn variants_are_written_and_deleted(fresh: Fresh) {
    let key = MediaKey::variant(&"ab".repeat(32), ImageType::Jpeg).unwrap();

    fresh
        .store
        .write_variant(&key, b"jpeg bytes".to_vec(), ImageType::Jpeg)
        .await
        .unwrap();
    assert_eq!(fresh.store.read(&key, 1000).await.unwrap(), b"jpeg bytes");
    fresh.store.delete(&key).await.unwrap();
    fresh.store.delete(&key).await.unwrap();

    assert!(matches!(
        fresh.store.read(&key, 1000).await,
        Err(ReadError::Missing)
    ));
}

/// What S3 enforces from the policy, the local adapter enforces the same way.
mod local_forms {
    use super::*;

    #[tokio::test]
    async fn a_changed_key_a_file_outside_the_range_and_a_second_use_are_refused() {
        let fresh = local_store().await;
        let key = upload_key(3);
        let target = fresh.store.presign_upload(&policy(&key, 10)).await.unwrap();

        let mut forged = target.fields.clone();
        forged.insert("key".into(), upload_key(4).as_ref().to_owned());
        let forged = post_form(&fresh.base_url, &target.url, &forged, vec![1]).await;
        let mut retyped = target.fields.clone();
        retyped.insert("Content-Type".into(), "text/html".into());
        let retyped = post_form(&fresh.base_url, &target.url, &retyped, vec![1]).await;
        let too_big = upload(&fresh, &target, vec![1; 11]).await;
        let first = upload(&fresh, &target, vec![1; 10]).await;
        let second = upload(&fresh, &target, vec![2; 10]).await;

        assert_eq!(forged.status(), 403);
        assert_eq!(retyped.status(), 403);
        assert_eq!(too_big.status(), 413);
        assert_eq!(first.status(), 204);
        assert_eq!(second.status(), 409);
        assert_eq!(fresh.store.read(&key, 10).await.unwrap(), vec![1; 10]);
        assert!(matches!(
            fresh.store.read(&upload_key(4), 10).await,
            Err(ReadError::Missing)
        ));
    }

    #[tokio::test]
    async fn a_file_of_the_largest_size_any_upload_may_have_is_received() {
        let fresh = local_store().await;
        let key = upload_key(6);
        let largest = app::domain::MAX_UPLOAD_BYTES;
        let target = fresh
            .store
            .presign_upload(&policy(&key, largest))
            .await
            .unwrap();

        let answer = upload(&fresh, &target, vec![0; usize::try_from(largest).unwrap()]).await;

        assert_eq!(answer.status(), 204);
        assert_eq!(
            fresh.store.read(&key, largest).await.unwrap().len() as u64,
            largest
        );
    }

    #[tokio::test]
    async fn an_expired_form_is_refused() {
        let fresh = local_store().await;
        let key = upload_key(5);
        let mut expired = policy(&key, 10);
        expired.expires_at_ms -= 600_000;
        let target = fresh.store.presign_upload(&expired).await.unwrap();

        assert_eq!(upload(&fresh, &target, vec![1]).await.status(), 403);
    }
}

/// S3's copies of variants are served with their type and cached forever by CloudFront.
#[tokio::test]
async fn s3_variants_carry_their_type_and_an_immutable_cache_header() {
    let bucket = unique_table("media");
    let client = create_bucket(&bucket).await;
    let config = sdk_config().await;
    let store = S3MediaStore::new(
        client.clone(),
        config.credentials_provider().unwrap(),
        S3Settings {
            bucket: bucket.clone(),
            region: "us-east-1".into(),
            endpoint_url: Some(moto().endpoint.clone()),
        },
    );
    let key = MediaKey::variant(&"cd".repeat(32), ImageType::Png).unwrap();
    store
        .write_variant(&key, vec![1, 2, 3], ImageType::Png)
        .await
        .unwrap();

    let head = client
        .head_object()
        .bucket(&bucket)
        .key(key.as_ref())
        .send()
        .await
        .unwrap();

    assert_eq!(head.content_type(), Some("image/png"));
    assert_eq!(
        head.cache_control(),
        Some("public, max-age=31536000, immutable")
    );
}

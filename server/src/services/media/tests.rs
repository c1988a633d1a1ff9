use std::sync::Arc;

use app::{domain::MAX_UPLOAD_BYTES, error::ErrorCode};

use super::{imaging::samples, *};
use crate::{
    ports::ManualClock,
    services::fakes::{InMemoryMedia, caller},
};

const NOW_MS: i64 = 1_800_000_000_000;

struct Fixture {
    media: Media<Arc<ManualClock>>,
    store: Arc<InMemoryMedia>,
    clock: Arc<ManualClock>,
}

fn fixture() -> Fixture {
    let store = Arc::new(InMemoryMedia::default());
    let clock = Arc::new(ManualClock::at_ms(NOW_MS));
    Fixture {
        media: Media::new(Pictures::new(store.clone(), store.clone()), clock.clone()),
        store,
        clock,
    }
}

fn upload_request(purpose: UploadPurpose, content_type: &str, size: u64) -> CreateUploadRequest {
    CreateUploadRequest {
        purpose,
        content_type: content_type.to_owned(),
        size,
    }
}

impl Fixture {
    /// Asks for a form, "uploads" `bytes` where it points, and returns the upload id.
    async fn uploaded(&self, who: &Caller, purpose: UploadPurpose, bytes: Vec<u8>) -> String {
        let ticket = self
            .media
            .create_upload(
                who,
                upload_request(purpose, "image/jpeg", bytes.len() as u64),
            )
            .await
            .unwrap();
        let key = MediaKey::parse_stored(&ticket.fields["key"]).unwrap();
        self.store.put(&key, bytes);
        ticket.upload_id
    }

    async fn picture(&self, who: &Caller, purpose: UploadPurpose) -> PictureResponse {
        let id = self.uploaded(who, purpose, samples::jpeg(900, 600)).await;
        self.media.complete_upload(who, &id).await.unwrap()
    }

    fn served(&self, url: &str) -> Vec<u8> {
        let key = MediaKey::parse_stored(url.trim_start_matches('/')).unwrap();
        self.store.object(&key).unwrap()
    }
}

#[tokio::test]
async fn a_form_names_the_callers_upload_key_type_and_size_for_five_minutes() {
    let f = fixture();
    let ticket = f
        .media
        .create_upload(
            &caller("ann"),
            upload_request(UploadPurpose::Post, "image/png", 1234),
        )
        .await
        .unwrap();

    assert_eq!(ticket.upload_id.len(), 32);
    assert_eq!(
        ticket.fields["key"],
        format!("uploads/sub-ann/{}", ticket.upload_id)
    );
    assert_eq!(ticket.fields["Content-Type"], "image/png");
    assert_eq!(ticket.expires_at, "2027-01-15T08:05:00Z");
}

#[tokio::test]
async fn a_wrong_type_is_415_a_large_file_413_and_an_empty_one_400() {
    let f = fixture();
    let ann = caller("ann");
    for (content_type, size, code, field) in [
        (
            "text/html",
            10,
            ErrorCode::UnsupportedMediaType,
            "contentType",
        ),
        (
            "image/svg+xml",
            10,
            ErrorCode::UnsupportedMediaType,
            "contentType",
        ),
        (
            "image/jpeg",
            MAX_UPLOAD_BYTES + 1,
            ErrorCode::PayloadTooLarge,
            "size",
        ),
        ("image/jpeg", 0, ErrorCode::BadRequest, "size"),
    ] {
        let err = f
            .media
            .create_upload(
                &ann,
                upload_request(UploadPurpose::Post, content_type, size),
            )
            .await
            .unwrap_err();
        assert_eq!(
            (err.code, err.field.as_deref()),
            (code, Some(field)),
            "{content_type}"
        );
    }
}

#[tokio::test]
async fn completing_processes_the_file_into_variants_and_deletes_the_upload() {
    let f = fixture();
    let ann = caller("ann");
    let id = f
        .uploaded(&ann, UploadPurpose::Post, samples::jpeg(4000, 3000))
        .await;

    let picture = f.media.complete_upload(&ann, &id).await.unwrap();

    assert_eq!(picture.id, id);
    assert_eq!((picture.large.width, picture.large.height), (1600, 1200));
    assert_eq!((picture.small.width, picture.small.height), (480, 360));
    for variant in [&picture.large, &picture.small] {
        assert!(variant.url.starts_with("/media/") && variant.url.ends_with(".jpg"));
        assert!(!f.served(&variant.url).is_empty());
    }
    assert_eq!(f.store.object_count(), 2, "the upload itself is gone");
}

#[tokio::test]
async fn someone_elses_upload_is_404_and_a_second_completion_409() {
    let f = fixture();
    let ann = caller("ann");
    let id = f
        .uploaded(&ann, UploadPurpose::Post, samples::jpeg(50, 50))
        .await;

    let theirs = f
        .media
        .complete_upload(&caller("bob"), &id)
        .await
        .unwrap_err();
    let made_up = f
        .media
        .complete_upload(&ann, "not-an-id")
        .await
        .unwrap_err();
    f.media.complete_upload(&ann, &id).await.unwrap();
    let twice = f.media.complete_upload(&ann, &id).await.unwrap_err();

    assert_eq!(theirs.code, ErrorCode::NotFound);
    assert_eq!(made_up.code, ErrorCode::NotFound);
    assert_eq!(twice.code, ErrorCode::Conflict);
}

#[tokio::test]
async fn completing_before_the_file_arrived_is_409_and_may_be_retried() {
    let f = fixture();
    let ann = caller("ann");
    let ticket = f
        .media
        .create_upload(
            &ann,
            upload_request(UploadPurpose::Avatar, "image/jpeg", 5000),
        )
        .await
        .unwrap();

    let early = f
        .media
        .complete_upload(&ann, &ticket.upload_id)
        .await
        .unwrap_err();
    let key = MediaKey::parse_stored(&ticket.fields["key"]).unwrap();
    f.store.put(&key, samples::jpeg(40, 40));
    let later = f.media.complete_upload(&ann, &ticket.upload_id).await;

    assert_eq!(early.code, ErrorCode::Conflict);
    assert!(later.is_ok(), "{later:?}");
}

#[tokio::test]
async fn bytes_that_are_not_the_declared_type_are_415_and_the_upload_is_gone() {
    let f = fixture();
    let ann = caller("ann");
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let ticket = f
        .media
        .create_upload(
            &ann,
            upload_request(UploadPurpose::Post, "image/png", html.len() as u64),
        )
        .await
        .unwrap();
    f.store.put(
        &MediaKey::parse_stored(&ticket.fields["key"]).unwrap(),
        html,
    );

    let err = f
        .media
        .complete_upload(&ann, &ticket.upload_id)
        .await
        .unwrap_err();

    assert_eq!(
        (err.code, err.field.as_deref(), err.error.as_str()),
        (
            ErrorCode::UnsupportedMediaType,
            Some("file"),
            "The uploaded file is not a PNG picture."
        )
    );
    assert_eq!(f.store.object_count(), 0);
    let again = f
        .media
        .complete_upload(&ann, &ticket.upload_id)
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_decompression_bomb_is_413_before_it_is_decoded() {
    let f = fixture();
    let ann = caller("ann");
    let id = f
        .uploaded(&ann, UploadPurpose::Post, samples::jpeg_bomb())
        .await;

    let err = f.media.complete_upload(&ann, &id).await.unwrap_err();

    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::PayloadTooLarge, Some("file"))
    );
    assert!(err.error.contains("20000 × 20000"), "{}", err.error);
}

#[tokio::test]
async fn a_file_larger_than_declared_is_413() {
    let f = fixture();
    let ann = caller("ann");
    let ticket = f
        .media
        .create_upload(&ann, upload_request(UploadPurpose::Post, "image/jpeg", 100))
        .await
        .unwrap();
    f.store.put(
        &MediaKey::parse_stored(&ticket.fields["key"]).unwrap(),
        samples::jpeg(200, 200),
    );

    let err = f
        .media
        .complete_upload(&ann, &ticket.upload_id)
        .await
        .unwrap_err();

    assert_eq!(err.code, ErrorCode::PayloadTooLarge);
}

#[tokio::test]
async fn served_variants_carry_no_gps_position() {
    let f = fixture();
    let ann = caller("ann");
    let id = f
        .uploaded(
            &ann,
            UploadPurpose::Post,
            samples::jpeg_with_gps_exif(800, 600, 1),
        )
        .await;

    let picture = f.media.complete_upload(&ann, &id).await.unwrap();

    for variant in [&picture.large, &picture.small] {
        let bytes = f.served(&variant.url);
        assert!(
            !bytes
                .windows(samples::GPS_MARKER.len())
                .any(|w| w == samples::GPS_MARKER)
        );
    }
}

#[tokio::test]
async fn a_new_profile_picture_replaces_and_deletes_the_old_one() {
    let f = fixture();
    let ann = caller("ann");
    let first = f.picture(&ann, UploadPurpose::Avatar).await;
    let second = f.picture(&ann, UploadPurpose::Avatar).await;

    let set = f
        .media
        .set_avatar(
            &ann,
            SetAvatarRequest {
                picture_id: first.id.clone(),
            },
        )
        .await
        .unwrap();
    f.media
        .set_avatar(
            &ann,
            SetAvatarRequest {
                picture_id: second.id.clone(),
            },
        )
        .await
        .unwrap();

    assert_eq!(
        (set.avatar_url.as_str(), set.avatar_large_url.as_str()),
        (first.small.url.as_str(), first.large.url.as_str())
    );
    let first_id = MediaId::parse(&first.id, "id").unwrap();
    assert!(f.store.get("sub-ann", &first_id).await.unwrap().is_none());
    assert_eq!(
        f.store.object_count(),
        2,
        "only the second picture's files remain"
    );

    f.media.remove_avatar(&ann).await.unwrap();
    assert_eq!(f.store.object_count(), 0);
    let shown = f.store.avatars(&["sub-ann".into()]).await.unwrap();
    assert!(shown.is_empty());
}

#[tokio::test]
async fn only_a_completed_avatar_picture_of_ones_own_becomes_a_profile_picture() {
    let f = fixture();
    let ann = caller("ann");
    let for_a_post = f.picture(&ann, UploadPurpose::Post).await;
    let pending = f
        .uploaded(&ann, UploadPurpose::Avatar, samples::jpeg(10, 10))
        .await;
    let bobs = f.picture(&caller("bob"), UploadPurpose::Avatar).await;

    for (picture_id, code) in [
        (for_a_post.id, ErrorCode::BadRequest),
        (pending, ErrorCode::Conflict),
        (bobs.id, ErrorCode::BadRequest),
        ("nonsense".to_owned(), ErrorCode::BadRequest),
    ] {
        let err = f
            .media
            .set_avatar(&ann, SetAvatarRequest { picture_id })
            .await
            .unwrap_err();
        assert_eq!(err.code, code, "{err:?}");
    }
}

#[tokio::test]
async fn unattached_uploads_are_bounded_per_person_and_swept_after_a_day() {
    let f = fixture();
    let ann = caller("ann");
    for _ in 0..MAX_UNATTACHED {
        f.uploaded(&ann, UploadPurpose::Post, samples::jpeg(10, 10))
            .await;
    }

    let refused = f
        .media
        .create_upload(&ann, upload_request(UploadPurpose::Post, "image/jpeg", 10))
        .await
        .unwrap_err();
    let others = f
        .media
        .create_upload(
            &caller("bob"),
            upload_request(UploadPurpose::Post, "image/jpeg", 10),
        )
        .await;

    assert_eq!(refused.code, ErrorCode::Throttled);
    assert_eq!(refused.retry_after_secs, Some(24 * 3600 + 1));
    assert!(others.is_ok(), "the bound is per person");

    f.clock.advance_secs(ABANDONED_AFTER.as_secs() + 1);
    let after_a_day = f
        .media
        .create_upload(&ann, upload_request(UploadPurpose::Post, "image/jpeg", 10))
        .await;
    assert!(after_a_day.is_ok(), "{after_a_day:?}");
    assert_eq!(f.store.unattached("sub-ann").await.unwrap().len(), 1);
    assert_eq!(f.store.object_count(), 0, "the abandoned files are gone");
}

//! The `MediaCatalog` contract: SQLite (the embedded default) and DynamoDB (through moto)
//! move uploads through the same stages, refuse the same changes, and keep profile pictures
//! the same way, including when two completions race.

use std::sync::Arc;

use app::{
    domain::{ImageType, MediaId, PostId},
    dto::UploadPurpose,
};
use server::{
    adapters::{
        dynamo::DynamoMediaCatalog,
        sqlite::{SqliteDatabase, SqliteMediaCatalog},
    },
    ports::{Attachment, MediaCatalog, MediaKey, MediaRecord, Picture, Stage, StageError, Variant},
};

use crate::moto::{create_media_table, sdk_config, unique_table};

/// A catalog and, for SQLite, the directory its file lives in.
type Fresh = (Arc<dyn MediaCatalog>, Option<tempfile::TempDir>);

macro_rules! media_catalog_contract {
    ($adapter:ident, $fresh:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn a_record_is_found_only_under_its_owner() {
                super::a_record_is_found_only_under_its_owner($fresh).await;
            }

            #[tokio::test]
            async fn an_upload_is_processed_once_unless_its_processing_died() {
                super::an_upload_is_processed_once_unless_its_processing_died($fresh).await;
            }

            #[tokio::test]
            async fn a_picture_is_attached_to_one_thing_of_its_purpose() {
                super::a_picture_is_attached_to_one_thing_of_its_purpose($fresh).await;
            }

            #[tokio::test]
            async fn unattached_records_are_listed_oldest_first() {
                super::unattached_records_are_listed_oldest_first($fresh).await;
            }

            #[tokio::test]
            async fn a_profile_picture_is_set_replaced_shown_and_cleared() {
                super::a_profile_picture_is_set_replaced_shown_and_cleared($fresh).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn of_concurrent_completions_exactly_one_starts() {
                super::of_concurrent_completions_exactly_one_starts($fresh).await;
            }
        }
    };
}

media_catalog_contract!(sqlite, sqlite_catalog());
media_catalog_contract!(dynamodb, dynamo_catalog().await);

fn sqlite_catalog() -> Fresh {
    let dir = tempfile::tempdir().unwrap();
    let database = SqliteDatabase::open(dir.path()).unwrap();
    (Arc::new(SqliteMediaCatalog::new(database)), Some(dir))
}

async fn dynamo_catalog() -> Fresh {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let table = unique_table("media");
    create_media_table(&client, &table).await;
    (Arc::new(DynamoMediaCatalog::new(client, table)), None)
}

const ANN: &str = "sub-ann";
const T0: i64 = 1_800_000_000_000;

fn id(n: u8) -> MediaId {
    MediaId::parse(&format!("{n:032x}"), "id").unwrap()
}

fn record(owner: &str, n: u8, purpose: UploadPurpose, created_at_ms: i64) -> MediaRecord {
    MediaRecord {
        id: id(n),
        owner: owner.to_owned(),
        purpose,
        content_type: ImageType::Jpeg,
        declared_bytes: 1234,
        upload_key: MediaKey::upload(owner, &id(n)).unwrap(),
        created_at_ms,
        stage_since_ms: created_at_ms,
        stage: Stage::Awaiting,
    }
}

fn picture(n: u8) -> Picture {
    let variant = |size: u8, width| Variant {
        key: MediaKey::variant(&format!("{n:02x}{size:02x}").repeat(16), ImageType::Jpeg).unwrap(),
        width,
        height: 64,
    };
    Picture {
        large: variant(1, 256),
        small: variant(2, 64),
    }
}

/// A record of `owner`'s taken through to Ready.
async fn ready(catalog: &dyn MediaCatalog, owner: &str, n: u8, purpose: UploadPurpose) {
    catalog
        .insert(&record(owner, n, purpose, T0 + i64::from(n)))
        .await
        .unwrap();
    catalog
        .start_processing(owner, &id(n), T0, T0)
        .await
        .unwrap();
    catalog
        .finish(owner, &id(n), &picture(n), T0)
        .await
        .unwrap();
}

fn stage_of(err: StageError) -> Stage {
    match err {
        StageError::WrongStage(record) => record.stage,
        other => panic!("expected WrongStage, got {other:?}"),
    }
}

async fn a_record_is_found_only_under_its_owner((catalog, _dir): Fresh) {
    let written = record(ANN, 1, UploadPurpose::Post, T0);
    catalog.insert(&written).await.unwrap();

    assert_eq!(
        catalog.get(ANN, &id(1)).await.unwrap(),
        Some(written.clone())
    );
    assert_eq!(catalog.get("sub-bob", &id(1)).await.unwrap(), None);
    assert!(matches!(
        catalog.start_processing("sub-bob", &id(1), T0, T0).await,
        Err(StageError::NotFound)
    ));
    assert_eq!(catalog.remove(ANN, &id(1)).await.unwrap(), Some(written));
    assert_eq!(catalog.get(ANN, &id(1)).await.unwrap(), None);
}

async fn an_upload_is_processed_once_unless_its_processing_died((catalog, _dir): Fresh) {
    catalog
        .insert(&record(ANN, 1, UploadPurpose::Post, T0))
        .await
        .unwrap();

    catalog
        .start_processing(ANN, &id(1), T0 + 1, T0)
        .await
        .unwrap();
    let again = catalog
        .start_processing(ANN, &id(1), T0 + 2, T0)
        .await
        .unwrap_err();
    assert_eq!(stage_of(again), Stage::Processing);
    catalog.stop_processing(ANN, &id(1), T0 + 3).await.unwrap();
    catalog
        .start_processing(ANN, &id(1), T0 + 4, T0)
        .await
        .unwrap();
    // Processing since T0 + 4, which is before T0 + 10: that completion died.
    catalog
        .start_processing(ANN, &id(1), T0 + 20, T0 + 10)
        .await
        .unwrap();
    catalog
        .finish(ANN, &id(1), &picture(1), T0 + 21)
        .await
        .unwrap();

    let done = catalog.get(ANN, &id(1)).await.unwrap().unwrap();
    assert_eq!(
        (done.stage, done.stage_since_ms),
        (Stage::Ready(picture(1)), T0 + 21)
    );
    let twice = catalog
        .start_processing(ANN, &id(1), T0 + 30, T0 + 30)
        .await
        .unwrap_err();
    assert_eq!(stage_of(twice), Stage::Ready(picture(1)));
    let finished_twice = catalog
        .finish(ANN, &id(1), &picture(1), T0)
        .await
        .unwrap_err();
    assert_eq!(stage_of(finished_twice), Stage::Ready(picture(1)));
}

async fn a_picture_is_attached_to_one_thing_of_its_purpose((catalog, _dir): Fresh) {
    let post = |n| Attachment::Post(PostId::from_counter(n).unwrap());
    ready(&*catalog, ANN, 1, UploadPurpose::Post).await;
    catalog
        .insert(&record(ANN, 2, UploadPurpose::Post, T0))
        .await
        .unwrap();

    let avatar = catalog
        .attach(ANN, &id(1), Attachment::Avatar, T0)
        .await
        .unwrap_err();
    assert_eq!(stage_of(avatar), Stage::Ready(picture(1)));
    let unfinished = catalog.attach(ANN, &id(2), post(1), T0).await.unwrap_err();
    assert_eq!(stage_of(unfinished), Stage::Awaiting);

    assert_eq!(
        catalog.attach(ANN, &id(1), post(1), T0).await.unwrap(),
        picture(1)
    );
    assert_eq!(
        catalog.attach(ANN, &id(1), post(1), T0).await.unwrap(),
        picture(1)
    );
    let elsewhere = catalog.attach(ANN, &id(1), post(2), T0).await.unwrap_err();
    assert_eq!(stage_of(elsewhere), Stage::Attached(picture(1), post(1)));
    assert!(catalog.detach(ANN, &id(1), post(2), T0).await.is_err());

    catalog.detach(ANN, &id(1), post(1), T0).await.unwrap();
    assert_eq!(
        catalog.attach(ANN, &id(1), post(2), T0).await.unwrap(),
        picture(1)
    );
}

async fn unattached_records_are_listed_oldest_first((catalog, _dir): Fresh) {
    ready(&*catalog, ANN, 3, UploadPurpose::Post).await;
    ready(&*catalog, ANN, 1, UploadPurpose::Post).await;
    catalog
        .insert(&record(ANN, 2, UploadPurpose::Avatar, T0 + 2))
        .await
        .unwrap();
    catalog
        .insert(&record("sub-bob", 9, UploadPurpose::Post, T0))
        .await
        .unwrap();
    let post = Attachment::Post(PostId::from_counter(1).unwrap());
    catalog.attach(ANN, &id(3), post, T0).await.unwrap();

    let listed: Vec<MediaId> = catalog
        .unattached(ANN)
        .await
        .unwrap()
        .into_iter()
        .map(|record| record.id)
        .collect();
    assert_eq!(listed, [id(1), id(2)]);

    catalog.detach(ANN, &id(3), post, T0).await.unwrap();
    assert_eq!(catalog.unattached(ANN).await.unwrap().len(), 3);
}

async fn a_profile_picture_is_set_replaced_shown_and_cleared((catalog, _dir): Fresh) {
    ready(&*catalog, ANN, 1, UploadPurpose::Avatar).await;
    ready(&*catalog, ANN, 2, UploadPurpose::Avatar).await;
    ready(&*catalog, ANN, 3, UploadPurpose::Post).await;

    assert_eq!(
        catalog.set_avatar(ANN, &id(1), T0).await.unwrap(),
        (picture(1), None)
    );
    assert_eq!(
        catalog.set_avatar(ANN, &id(1), T0).await.unwrap(),
        (picture(1), Some(id(1))),
        "setting the same one again is fine"
    );
    assert_eq!(
        catalog.set_avatar(ANN, &id(2), T0).await.unwrap(),
        (picture(2), Some(id(1)))
    );
    let post_picture = catalog.set_avatar(ANN, &id(3), T0).await.unwrap_err();
    assert_eq!(stage_of(post_picture), Stage::Ready(picture(3)));
    assert!(matches!(
        catalog.set_avatar("sub-bob", &id(2), T0).await,
        Err(StageError::NotFound)
    ));

    let shown = catalog
        .avatars(&[ANN.to_owned(), "sub-nobody".to_owned()])
        .await
        .unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (&shown[ANN].picture, &shown[ANN].variants),
        (&id(2), &picture(2))
    );

    assert_eq!(catalog.clear_avatar(ANN).await.unwrap(), Some(id(2)));
    assert_eq!(catalog.clear_avatar(ANN).await.unwrap(), None);
    assert!(catalog.avatars(&[ANN.to_owned()]).await.unwrap().is_empty());
}

async fn of_concurrent_completions_exactly_one_starts((catalog, _dir): Fresh) {
    const RACERS: usize = 10;
    catalog
        .insert(&record(ANN, 1, UploadPurpose::Post, T0))
        .await
        .unwrap();
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let catalog = Arc::clone(&catalog);
            tokio::spawn(async move { catalog.start_processing(ANN, &id(1), T0 + 1, T0).await })
        })
        .collect();
    let mut started = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => started += 1,
            Err(err) => assert_eq!(stage_of(err), Stage::Processing),
        }
    }
    assert_eq!(started, 1);
}

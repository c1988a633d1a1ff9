//! One moto server per test process, started on first use, reset once, and stopped when the
//! process exits (it serves until its standard input closes).
//!
//! Tests isolate themselves by giving every table a unique name, so they may run in parallel
//! against the one server.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
};

use aws_sdk_dynamodb::{
    config::{BehaviorVersion, Credentials, Region},
    types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType},
};

/// A running moto server.
pub struct Moto {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    _process: Child,
}

/// The Python that has `moto[server]`: `BOARDWALK_PYTHON`, else the repository's `.venv`
/// that the README's test command creates.
fn python() -> PathBuf {
    std::env::var_os("BOARDWALK_PYTHON").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.venv/bin/python")),
        PathBuf::from,
    )
}

/// The shared server, started on first call.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let python = python();
        let mut process = Command::new(&python)
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/moto/serve.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start moto with {} ({err}); run `make test` once to create .venv, \
                     or set BOARDWALK_PYTHON",
                    python.display()
                )
            });
        let mut port = String::new();
        BufReader::new(process.stdout.take().expect("piped stdout"))
            .read_line(&mut port)
            .expect("moto prints its port");
        let port: u16 = port.trim().parse().unwrap_or_else(|_| {
            panic!("moto did not start (printed {port:?}); is moto[server] installed?")
        });
        let endpoint = format!("http://127.0.0.1:{port}");
        reset(&endpoint);
        Moto {
            endpoint,
            _process: process,
        }
    })
}

/// Clears every resource moto holds, so a suite starts from nothing.
fn reset(endpoint: &str) {
    let status = Command::new(python())
        .args([
            "-c",
            "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='POST'))",
            &format!("{endpoint}/moto-api/reset"),
        ])
        .status()
        .expect("reset request runs");
    assert!(status.success(), "moto reset failed");
}

/// SDK configuration aimed at moto with dummy credentials, as the server builds it from
/// `BOARDWALK_AWS_ENDPOINT_URL` in production code.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&moto().endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
        .load()
        .await
}

/// A table name no other test in this process uses.
pub fn unique_table(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Creates an on-demand table keyed by the string attribute `name`, as `infra/` defines the
/// counters table.
pub async fn create_counters_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("name")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("name")
                .key_type(KeyType::Hash)
                .build()
                .expect("key schema"),
        )
        .send()
        .await
        .expect("moto creates the table");
}

/// Creates the posts table as `infra/` defines it: key `id` (number) and the newest-first
/// index (`feed`, `id`).
pub async fn create_posts_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    use aws_sdk_dynamodb::types::{GlobalSecondaryIndex, Projection, ProjectionType};
    let attribute = |name: &str, kind: ScalarAttributeType| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .expect("attribute definition")
    };
    let key = |name: &str, kind: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key schema")
    };
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute("id", ScalarAttributeType::N))
        .attribute_definitions(attribute("feed", ScalarAttributeType::S))
        .key_schema(key("id", KeyType::Hash))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(server::adapters::dynamo::FEED_INDEX)
                .key_schema(key("feed", KeyType::Hash))
                .key_schema(key("id", KeyType::Range))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .expect("index"),
        )
        .send()
        .await
        .expect("moto creates the posts table");
}

/// The comments table as `infra/` defines it: partition `postId` (number), sort
/// `commentId` (string).
pub async fn create_comments_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("postId")
                .attribute_type(ScalarAttributeType::N)
                .build()
                .expect("attribute definition"),
        )
        .attribute_definitions(string_attribute("commentId"))
        .key_schema(key("postId", KeyType::Hash))
        .key_schema(key("commentId", KeyType::Range))
        .send()
        .await
        .expect("moto creates the comments table");
}

/// A key schema element.
fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .expect("key schema")
}

/// A string attribute definition.
fn string_attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("attribute definition")
}

/// A global secondary index: its name, partition attribute (a string) and sort attribute.
struct Index<'a> {
    name: &'a str,
    partition: &'a str,
    sort: (&'a str, ScalarAttributeType),
}

/// Creates an on-demand table keyed by the strings `partition` and `sort`, as `infra/`
/// defines the chat, live and media tables, with `indexes` (projecting everything).
async fn create_keyed_table(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    (partition, sort): (&str, &str),
    indexes: &[Index<'_>],
) {
    use aws_sdk_dynamodb::types::{GlobalSecondaryIndex, Projection, ProjectionType};
    let mut request = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(string_attribute(partition))
        .attribute_definitions(string_attribute(sort))
        .key_schema(key(partition, KeyType::Hash))
        .key_schema(key(sort, KeyType::Range));
    for index in indexes {
        if index.partition != partition {
            request = request.attribute_definitions(string_attribute(index.partition));
        }
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(index.sort.0)
                    .attribute_type(index.sort.1.clone())
                    .build()
                    .expect("attribute definition"),
            )
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.name)
                    .key_schema(key(index.partition, KeyType::Hash))
                    .key_schema(key(index.sort.0, KeyType::Range))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .expect("index"),
            );
    }
    request.send().await.expect("moto creates the table");
}

/// The chat table, with the index that lists a person's rooms.
pub async fn create_chat_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    let rooms = Index {
        name: server::adapters::dynamo::MEMBER_ROOMS_INDEX,
        partition: "memberSub",
        sort: ("roomId", ScalarAttributeType::S),
    };
    create_keyed_table(client, table, ("pk", "sk"), &[rooms]).await;
}

/// The live table of tickets and connections.
pub async fn create_live_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    create_keyed_table(client, table, ("pk", "sk"), &[]).await;
}

/// The media table, with the sparse index of a person's unattached uploads and pictures.
pub async fn create_media_table(client: &aws_sdk_dynamodb::Client, table: &str) {
    let unattached = Index {
        name: server::adapters::dynamo::UNATTACHED_INDEX,
        partition: "owner",
        sort: ("unattachedAt", ScalarAttributeType::N),
    };
    create_keyed_table(client, table, ("owner", "item"), &[unattached]).await;
}

/// A private bucket as `infra/` defines the media bucket (moto ignores its policies).
pub async fn create_bucket(bucket: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::from(&sdk_config().await)
        .to_builder()
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    client
        .create_bucket()
        .bucket(bucket)
        .send()
        .await
        .expect("moto creates the bucket");
    client
}

/// A user pool and its app client on moto.
pub struct UserPool {
    /// The pool.
    pub pool_id: String,
    /// Its app client.
    pub client_id: String,
    /// The client's secret, when it has one.
    pub client_secret: Option<String>,
}

/// A user pool shaped as `infra/template.yaml` makes it (case-insensitive usernames, email
/// verified, its password policy) with an app client allowing the flows the server uses.
pub async fn create_user_pool(with_secret: bool) -> UserPool {
    use aws_sdk_cognitoidentityprovider::types::{
        AttributeDataType, ExplicitAuthFlowsType, PasswordPolicyType, SchemaAttributeType,
        UserPoolPolicyType, UsernameConfigurationType, VerifiedAttributeType,
    };
    let client = aws_sdk_cognitoidentityprovider::Client::new(&sdk_config().await);
    let pool = client
        .create_user_pool()
        .pool_name(unique_table("users"))
        .username_configuration(
            UsernameConfigurationType::builder()
                .case_sensitive(false)
                .build()
                .unwrap(),
        )
        .auto_verified_attributes(VerifiedAttributeType::Email)
        // The password policy of infra/template.yaml, which Password::parse mirrors.
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(
                    PasswordPolicyType::builder()
                        .minimum_length(10)
                        .require_lowercase(true)
                        .require_uppercase(true)
                        .require_numbers(true)
                        .require_symbols(false)
                        .build(),
                )
                .build(),
        )
        .schema(
            SchemaAttributeType::builder()
                .name("email")
                .attribute_data_type(AttributeDataType::String)
                .required(true)
                .build(),
        )
        .send()
        .await
        .expect("moto creates the pool");
    let pool_id = pool
        .user_pool()
        .and_then(|pool| pool.id())
        .unwrap()
        .to_owned();
    let app_client = client
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .generate_secret(with_secret)
        .send()
        .await
        .expect("moto creates the app client");
    let app_client = app_client.user_pool_client().unwrap();
    UserPool {
        pool_id,
        client_id: app_client.client_id().unwrap().to_owned(),
        client_secret: app_client.client_secret().map(str::to_owned),
    }
}

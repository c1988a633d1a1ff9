//! Live delivery. The `SocketTickets` contract runs on both adapters (in memory locally,
//! DynamoDB through moto). The AWS fan-out (`ApiGatewaySockets`) posts through the API
//! Gateway Management API: moto implements `PostToConnection`, but accepts any connection id
//! and keeps no readable record of what was posted, so what reaches which connection, and
//! the forgetting of connections that answer 410 Gone, are tested against a small loopback
//! fake of that endpoint; one case against moto checks the real SDK call goes through.

use app::services::Caller;
use server::{
    adapters::live::{ApiGatewaySockets, DynamoTickets, LocalTickets},
    ports::{ConnectionRegistry, LiveDelivery, SocketTickets},
};

use crate::{
    management_api::fake_management_api,
    moto::{create_live_table, moto, sdk_config, unique_table},
};

macro_rules! socket_tickets_contract {
    ($adapter:ident, $fresh:expr) => {
        mod $adapter {
            use super::*;

            #[tokio::test]
            async fn a_ticket_opens_one_socket_once() {
                super::a_ticket_opens_one_socket_once(&$fresh).await;
            }

            #[tokio::test]
            async fn an_expired_or_unknown_ticket_opens_nothing() {
                super::an_expired_or_unknown_ticket_opens_nothing(&$fresh).await;
            }
        }
    };
}

socket_tickets_contract!(local_tickets, LocalTickets::default());
socket_tickets_contract!(dynamodb_tickets, dynamo_tickets().await);

async fn dynamo_tickets() -> DynamoTickets {
    let client = aws_sdk_dynamodb::Client::new(&sdk_config().await);
    let table = unique_table("live");
    create_live_table(&client, &table).await;
    DynamoTickets::new(client, table)
}

fn alice() -> Caller {
    Caller {
        sub: "sub-alice".into(),
        username: "alice".into(),
        groups: Vec::new(),
    }
}

const NOW: i64 = 1_800_000_000_000;

async fn a_ticket_opens_one_socket_once(tickets: &dyn SocketTickets) {
    tickets
        .issue("ticket-1", &alice(), NOW + 30_000)
        .await
        .unwrap();

    assert_eq!(
        tickets.redeem("ticket-1", NOW + 1_000).await.unwrap(),
        Some(alice())
    );
    assert_eq!(tickets.redeem("ticket-1", NOW + 2_000).await.unwrap(), None);
}

async fn an_expired_or_unknown_ticket_opens_nothing(tickets: &dyn SocketTickets) {
    tickets
        .issue("ticket-2", &alice(), NOW + 30_000)
        .await
        .unwrap();

    assert_eq!(
        tickets.redeem("ticket-2", NOW + 30_001).await.unwrap(),
        None
    );
    assert_eq!(tickets.redeem("never-issued", NOW).await.unwrap(), None);
}

async fn sockets_at(endpoint: &str) -> ApiGatewaySockets {
    let config = sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = unique_table("live");
    create_live_table(&client, &table).await;
    let management = aws_sdk_apigatewaymanagement::Client::from_conf(
        aws_sdk_apigatewaymanagement::Config::from(&config)
            .to_builder()
            .endpoint_url(endpoint)
            .build(),
    );
    ApiGatewaySockets::new(client, table, management)
}

#[tokio::test]
async fn a_push_reaches_every_connection_of_the_people_named_and_no_one_else() {
    let (endpoint, posted) = fake_management_api().await;
    let sockets = sockets_at(&endpoint).await;
    for (connection, sub) in [
        ("phone", "sub-alice"),
        ("laptop", "sub-alice"),
        ("bobs", "sub-bob"),
        ("carols", "sub-carol"),
    ] {
        sockets
            .register(connection, sub, NOW + 3_600_000)
            .await
            .unwrap();
    }

    sockets
        .push(
            &["sub-alice".into(), "sub-bob".into()],
            r#"{"type":"room","roomId":"r"}"#,
        )
        .await
        .unwrap();

    let mut received: Vec<String> = posted
        .lock()
        .unwrap()
        .iter()
        .map(|(id, _)| id.clone())
        .collect();
    received.sort();
    assert_eq!(received, ["bobs", "laptop", "phone"]);
    assert!(
        posted
            .lock()
            .unwrap()
            .iter()
            .all(|(_, body)| body == r#"{"type":"room","roomId":"r"}"#)
    );
}

#[tokio::test]
async fn a_connection_that_answers_410_gone_is_forgotten() {
    let (endpoint, posted) = fake_management_api().await;
    let sockets = sockets_at(&endpoint).await;
    sockets
        .register("gone-old-tab", "sub-alice", NOW + 3_600_000)
        .await
        .unwrap();
    sockets
        .register("live-tab", "sub-alice", NOW + 3_600_000)
        .await
        .unwrap();

    sockets.push(&["sub-alice".into()], "first").await.unwrap();
    sockets
        .register("live-tab-2", "sub-alice", NOW + 3_600_000)
        .await
        .unwrap();
    sockets.unregister("live-tab").await.unwrap();
    sockets.push(&["sub-alice".into()], "second").await.unwrap();

    let received = posted.lock().unwrap().clone();
    let mut first_push = received[..2].to_vec();
    first_push.sort();
    assert_eq!(
        first_push,
        [
            ("gone-old-tab".into(), "410".into()),
            ("live-tab".into(), "first".into())
        ]
    );
    assert_eq!(
        received[2..],
        [("live-tab-2".into(), "second".into())],
        "the gone tab was forgotten after its 410, the closed one after its $disconnect"
    );
}

#[tokio::test]
async fn a_push_goes_through_motos_management_api() {
    let sockets = sockets_at(&moto().endpoint).await;
    sockets
        .register("moto-connection", "sub-alice", NOW + 3_600_000)
        .await
        .unwrap();

    sockets.push(&["sub-alice".into()], "hello").await.unwrap();
}

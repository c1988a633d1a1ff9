//! Chat over the real server: the reference chat contract's shapes, every refusal with
//! `success: false`, and the embedded default's WebSocket end to end.

use futures::StreamExt;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use tokio_tungstenite::{connect_async, tungstenite::Message};

use crate::helpers::{TestApp, spawn_app};

async fn body(response: Response) -> Value {
    response.json().await.expect("a JSON body")
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    json_body: Option<Value>,
) -> Response {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .bearer_auth(token);
    if let Some(json_body) = json_body {
        request = request.json(&json_body);
    }
    request.send().await.unwrap()
}

/// Three confirmed people and a direct room between the first two.
async fn alice_bob_and_carol(app: &TestApp) -> (String, String, String, String) {
    let alice = app.access_token("alice").await;
    let bob = app.access_token("bob").await;
    let carol = app.access_token("carol").await;
    let created = call(
        app,
        Method::POST,
        "/api/chats/rooms",
        &alice,
        Some(json!({"memberUsernames": ["bob"]})),
    )
    .await;
    assert_eq!(created.status(), 200);
    let room = body(created).await["room"]["roomId"]
        .as_str()
        .unwrap()
        .to_owned();
    (alice, bob, carol, room)
}

#[tokio::test]
async fn the_reference_contract_send_list_and_room_keep_their_shapes() {
    let (app, _data) = spawn_app().await;
    let (alice, bob, _carol, room) = alice_bob_and_carol(&app).await;

    let sent = call(
        &app,
        Method::POST,
        "/api/chats/send",
        &alice,
        Some(json!({"roomId": room, "text": "안녕 bob"})),
    )
    .await;
    assert_eq!(sent.status(), 200);
    let sent = body(sent).await;
    assert_eq!(sent["success"], true);
    let message = &sent["message"];
    assert_eq!(
        (
            message["id"].as_str(),
            message["roomId"].as_str(),
            message["text"].as_str()
        ),
        (Some("1"), Some(room.as_str()), Some("안녕 bob"))
    );
    assert_eq!(message["senderName"], "alice");
    assert!(
        message["senderId"].as_str().unwrap().len() == 36
            && message["sentAt"].as_i64().unwrap() > 1_700_000_000_000
    );

    let page = body(
        call(
            &app,
            Method::GET,
            &format!("/api/chats/rooms/{room}/messages?limit=10"),
            &bob,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(page["success"], true);
    assert_eq!(page["messages"], json!([message]));
    assert_eq!(page["nextCursor"], Value::Null);

    let detail = body(
        call(
            &app,
            Method::GET,
            &format!("/api/chats/rooms/{room}"),
            &bob,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(detail["success"], true);
    for fields in [&detail["room"], &detail] {
        assert_eq!(fields["roomId"], room.as_str());
        assert_eq!(fields["name"], "alice");
        assert_eq!(fields["memberIds"].as_array().unwrap().len(), 2);
        assert_eq!(fields["lastMessagePreview"], "안녕 bob");
        assert_eq!(fields["unreadCountForRequester"], 1);
    }
}

#[tokio::test]
async fn rooms_unread_totals_and_read_marks() {
    let (app, _data) = spawn_app().await;
    let (alice, bob, _carol, room) = alice_bob_and_carol(&app).await;
    for text in ["one", "two"] {
        call(
            &app,
            Method::POST,
            "/api/chats/send",
            &alice,
            Some(json!({"roomId": room, "text": text})),
        )
        .await;
    }
    let group = body(
        call(
            &app,
            Method::POST,
            "/api/chats/rooms",
            &bob,
            Some(json!({"name": "Team", "memberUsernames": ["alice", "carol"]})),
        )
        .await,
    )
    .await;
    assert_eq!(group["room"]["name"], "Team");

    let rooms = body(call(&app, Method::GET, "/api/chats/rooms", &bob, None).await).await;
    assert_eq!(rooms["unreadTotal"], 2);
    assert_eq!(rooms["rooms"].as_array().unwrap().len(), 2);

    let marked = body(
        call(
            &app,
            Method::POST,
            &format!("/api/chats/rooms/{room}/read"),
            &bob,
            Some(json!({"messageId": "2"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        marked,
        json!({"success": true, "unreadCountForRequester": 0})
    );
    let again = call(
        &app,
        Method::POST,
        "/api/chats/rooms",
        &bob,
        Some(json!({"memberUsernames": ["alice"]})),
    )
    .await;
    assert_eq!(
        body(again).await["room"]["roomId"],
        room.as_str(),
        "a direct room is found, not duplicated"
    );
}

#[tokio::test]
async fn a_stranger_gets_the_same_404_for_a_room_as_for_nothing_with_success_false() {
    let (app, _data) = spawn_app().await;
    let (_alice, _bob, carol, room) = alice_bob_and_carol(&app).await;

    let mut answers = Vec::new();
    for (method, path, json_body) in [
        (Method::GET, format!("/api/chats/rooms/{room}"), None),
        (
            Method::GET,
            format!("/api/chats/rooms/{room}/messages"),
            None,
        ),
        (
            Method::POST,
            "/api/chats/send".to_owned(),
            Some(json!({"roomId": room, "text": "let me in"})),
        ),
        (
            Method::POST,
            format!("/api/chats/rooms/{room}/read"),
            Some(json!({"messageId": "1"})),
        ),
        (Method::GET, "/api/chats/rooms/r_madeup".to_owned(), None),
    ] {
        let response = call(&app, method, &path, &carol, json_body).await;
        assert_eq!(response.status(), 404, "{path}");
        answers.push(body(response).await);
    }
    assert!(answers.windows(2).all(|pair| pair[0] == pair[1]));
    assert_eq!(answers[0]["success"], false);
    assert_eq!(answers[0]["code"], "ERR_NOT_FOUND");
}

#[tokio::test]
async fn refusals_keep_the_error_shape_and_add_success_false() {
    let (app, _data) = spawn_app().await;
    let (alice, _bob, _carol, room) = alice_bob_and_carol(&app).await;

    let anonymous = app
        .client
        .get(format!("{}/api/chats/rooms", app.address))
        .send()
        .await
        .unwrap();
    let spoofed = call(
        &app,
        Method::POST,
        "/api/chats/send",
        &alice,
        Some(json!({"roomId": room, "text": "x", "senderId": "someone-else"})),
    )
    .await;
    let empty = call(
        &app,
        Method::POST,
        "/api/chats/send",
        &alice,
        Some(json!({"roomId": room, "text": " "})),
    )
    .await;
    let malformed = call(
        &app,
        Method::POST,
        "/api/chats/send",
        &alice,
        Some(json!({"roomId": room})),
    )
    .await;

    for (response, status, code) in [
        (anonymous, 401, "ERR_UNAUTHORIZED"),
        (spoofed, 403, "ERR_FORBIDDEN"),
        (empty, 400, "ERR_BAD_REQUEST"),
        (malformed, 400, "ERR_BAD_REQUEST"),
    ] {
        assert_eq!(response.status(), status);
        let error = body(response).await;
        assert_eq!(
            (error["success"].as_bool(), error["code"].as_str()),
            (Some(false), Some(code))
        );
        assert!(error["error"].is_string());
    }
}

#[tokio::test]
async fn a_flood_of_sends_from_one_person_is_throttled_with_retry_after() {
    let (app, _data) = spawn_app().await;
    let (alice, _bob, _carol, room) = alice_bob_and_carol(&app).await;

    let mut statuses = Vec::new();
    for n in 0..12 {
        let response = call(
            &app,
            Method::POST,
            "/api/chats/send",
            &alice,
            Some(json!({"roomId": room, "text": format!("{n}")})),
        )
        .await;
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses[..10], [200; 10]);
    assert_eq!(statuses[11], 429);
}

/// Opens the embedded default's socket with a fresh ticket.
async fn open_socket(
    app: &TestApp,
    token: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let ticket = body(call(app, Method::POST, "/api/chats/socket", token, None).await).await;
    assert_eq!(ticket["url"], "/api/chats/ws");
    assert_eq!(ticket["expiresIn"], 30);
    let url = format!(
        "{}/api/chats/ws?ticket={}",
        app.address.replacen("http", "ws", 1),
        ticket["ticket"].as_str().unwrap()
    );
    connect_async(url).await.expect("the socket opens").0
}

async fn next_event(
    socket: &mut (impl StreamExt<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin),
) -> Value {
    let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
        .await
        .expect("an event within 5 s")
        .expect("the socket is open")
        .expect("a frame");
    serde_json::from_str(message.to_text().unwrap()).unwrap()
}

#[tokio::test]
async fn a_members_socket_receives_messages_live_and_a_strangers_receives_nothing() {
    let (app, _data) = spawn_app().await;
    let (alice, bob, carol, room) = alice_bob_and_carol(&app).await;
    let mut bobs = open_socket(&app, &bob).await;
    let mut carols = open_socket(&app, &carol).await;

    let sent = body(
        call(
            &app,
            Method::POST,
            "/api/chats/send",
            &alice,
            Some(json!({"roomId": room, "text": "live!"})),
        )
        .await,
    )
    .await;

    let event = next_event(&mut bobs).await;
    assert_eq!(
        event,
        json!({"type": "message", "message": sent["message"]})
    );
    let nothing = tokio::time::timeout(std::time::Duration::from_millis(300), carols.next()).await;
    assert!(
        nothing.is_err(),
        "carol is in no room with alice: {nothing:?}"
    );
}

#[tokio::test]
async fn a_reused_or_forged_ticket_opens_no_socket() {
    let (app, _data) = spawn_app().await;
    let token = app.access_token("dora").await;
    let ticket =
        body(call(&app, Method::POST, "/api/chats/socket", &token, None).await).await["ticket"]
            .as_str()
            .unwrap()
            .to_owned();
    let url = |ticket: &str| {
        format!(
            "{}/api/chats/ws?ticket={ticket}",
            app.address.replacen("http", "ws", 1)
        )
    };

    assert!(connect_async(url(&ticket)).await.is_ok());
    for refused in [
        url(&ticket),
        url("forged"),
        format!("{}/api/chats/ws", app.address.replacen("http", "ws", 1)),
    ] {
        let error = connect_async(refused.clone()).await.expect_err(&refused);
        let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
            panic!("{refused}: {error}")
        };
        assert!(
            [400, 401].contains(&response.status().as_u16()),
            "{refused}: {}",
            response.status()
        );
    }
}

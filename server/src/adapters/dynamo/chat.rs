//! [`ChatStore`] on one DynamoDB table, keyed for the access patterns:
//!
//! | item | `pk` | `sk` | attributes |
//! |---|---|---|---|
//! | room | `ROOM#<id>` | `META` | `name` (absent: direct), `createdAt`, `lastActivity`, `lastPreview`, `lastSeq`, `members` (list of `{sub, username}`) |
//! | membership | `ROOM#<id>` | `MEMBER#<sub>` | `memberSub`, `roomId`, `lastReadSeq` (the `member-rooms-index` GSI: `memberSub`, `roomId`) |
//! | message | `ROOM#<id>` | `MSG#<seq, 20 digits>` | `seq`, `senderSub`, `senderName`, `text`, `sentAt` |
//! | person | `USER#<sub>` | `ROOMS` | `roomCount` |
//!
//! - Messages of a room, newest first: `Query pk = ROOM#id AND sk BETWEEN MSG#… AND MSG#…`,
//!   backwards, `limit + 1` items.
//! - My rooms: `Query` the GSI on `memberSub`, then `BatchGetItem` the rooms (≤ 200 rooms, so
//!   at most two batches), sorted by last activity in the service.
//! - A room for a member, and the unread count: `BatchGetItem` of the room and the member's
//!   item; unread = `lastSeq - lastReadSeq`, exact because numbers have no gaps.
//! - Sending: read the room, then one transaction: the room's `lastSeq` moves from the number
//!   read to the next (a condition), the message is put under that number (must be new), and
//!   the sender's read mark moves to it (which only a member's item allows). Two senders that
//!   read the same number cannot both win; the loser (and any transaction cancelled by a
//!   conflict) reads again and retries.

use std::collections::HashMap;

use app::domain::{MessageText, RoomId, RoomName};
use async_trait::async_trait;
use aws_sdk_dynamodb::{
    Client,
    operation::update_item::UpdateItemError,
    types::{
        AttributeValue, ConditionCheck, Put, ReturnValuesOnConditionCheckFailure,
        TransactWriteItem, Update,
    },
};

use super::{
    Item, back_off, batch_get, failed_conditions, number, number_attribute, query_all, read_item,
    string_attribute, text,
};
use crate::ports::{
    ChatStore, ChatWriteError, Created, MAX_MEMBERS, MAX_ROOMS_PER_PERSON, Membership, MessagePage,
    NewMessage, NewRoom, Person, Room, StoreError, StoredMessage,
};

/// The index that lists a person's memberships.
pub const MEMBER_ROOMS_INDEX: &str = "member-rooms-index";
/// Most tries of an optimistic write that keeps losing races.
const MAX_ATTEMPTS: u32 = 50;

fn room_pk(id: &str) -> String {
    format!("ROOM#{id}")
}

fn member_sk(sub: &str) -> String {
    format!("MEMBER#{sub}")
}

fn message_sk(seq: u64) -> String {
    format!("MSG#{seq:020}")
}

fn key(pk: String, sk: impl Into<String>) -> Item {
    HashMap::from([("pk".to_owned(), text(pk)), ("sk".to_owned(), text(sk))])
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("chat item without a valid {what}"))
}

fn string<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    string_attribute(item, name).ok_or_else(|| corrupt(name))
}

fn count(item: &Item, name: &str) -> Result<u64, StoreError> {
    number_attribute(item, name).ok_or_else(|| corrupt(name))
}

fn person_value(person: &Person) -> AttributeValue {
    AttributeValue::M(HashMap::from([
        ("sub".to_owned(), text(&person.sub)),
        ("username".to_owned(), text(&person.username)),
    ]))
}

fn room_from(item: &Item) -> Result<Room, StoreError> {
    let id = string(item, "pk")?
        .strip_prefix("ROOM#")
        .ok_or_else(|| corrupt("pk"))?;
    let members = item
        .get("members")
        .and_then(|value| value.as_l().ok())
        .ok_or_else(|| corrupt("members"))?
        .iter()
        .map(|value| {
            let map = value.as_m().map_err(|_| corrupt("member"))?;
            Ok(Person {
                sub: string(map, "sub")?.to_owned(),
                username: string(map, "username")?.to_owned(),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Room {
        id: RoomId::parse(id).map_err(|_| corrupt("room id"))?,
        name: item
            .get("name")
            .and_then(|value| value.as_s().ok())
            .map(|name| RoomName::parse(name).map_err(|_| corrupt("name")))
            .transpose()?,
        created_at_ms: count(item, "createdAt").map(as_ms)?,
        last_activity_ms: count(item, "lastActivity").map(as_ms)?,
        last_preview: item.get("lastPreview").and_then(|v| v.as_s().ok()).cloned(),
        last_seq: count(item, "lastSeq")?,
        members,
    })
}

fn as_ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn membership_from(item: &Item, room: &Room) -> Result<Membership, StoreError> {
    let sub = string(item, "memberSub")?;
    let person = room
        .members
        .iter()
        .find(|person| person.sub == sub)
        .cloned()
        .ok_or_else(|| corrupt("membership listed in its room"))?;
    Ok(Membership {
        person,
        last_read_seq: count(item, "lastReadSeq")?,
    })
}

fn message_from(item: &Item, room: &RoomId) -> Result<StoredMessage, StoreError> {
    Ok(StoredMessage {
        room_id: room.clone(),
        seq: count(item, "seq")?,
        sender: Person {
            sub: string(item, "senderSub")?.to_owned(),
            username: string(item, "senderName")?.to_owned(),
        },
        text: MessageText::parse(string(item, "text")?).map_err(|_| corrupt("text"))?,
        sent_at_ms: count(item, "sentAt").map(as_ms)?,
    })
}

/// Chat in one DynamoDB table.
#[derive(Clone)]
pub struct DynamoChatStore {
    client: Client,
    table: String,
}

impl DynamoChatStore {
    /// Chat in `table`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    fn put(&self, item: Item, condition: &str) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    fn member_exists(&self, room: &str, sub: &str) -> Result<TransactWriteItem, StoreError> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(room), member_sk(sub))))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().condition_check(check).build())
    }

    /// Marks the room read up to `seq` for its sender, which only a member has: the
    /// membership check of a send.
    fn read_by_sender(
        &self,
        room: &str,
        sub: &str,
        seq: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(room), member_sk(sub))))
            .update_expression("SET lastReadSeq = :seq")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":seq", number(seq))
            .build()
            .map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// One more room for `sub`, refused past [`MAX_ROOMS_PER_PERSON`].
    fn count_room(&self, sub: &str, step: i64) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("USER#{sub}"), "ROOMS")))
            .update_expression("ADD roomCount :step")
            .expression_attribute_values(":step", number(step));
        if step > 0 {
            update = update
                .condition_expression("attribute_not_exists(roomCount) OR roomCount < :max")
                .expression_attribute_values(":max", number(MAX_ROOMS_PER_PERSON));
        }
        let update = update.build().map_err(StoreError::unavailable)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn membership_item(room: &str, person: &Person) -> Item {
        let mut item = key(room_pk(room), member_sk(&person.sub));
        item.insert("memberSub".to_owned(), text(&person.sub));
        item.insert("roomId".to_owned(), text(room));
        item.insert("lastReadSeq".to_owned(), number(0));
        item
    }

    /// The room (consistent read), if it exists.
    async fn read_room(&self, id: &str) -> Result<Option<Room>, StoreError> {
        read_item(&self.client, &self.table, key(room_pk(id), "META"))
            .await?
            .as_ref()
            .map(room_from)
            .transpose()
    }

    /// Reads the room, fails with `NotMember` when it does not exist.
    async fn existing_room(&self, id: &str) -> Result<Room, ChatWriteError> {
        self.read_room(id).await?.ok_or(ChatWriteError::NotMember)
    }
}

#[async_trait]
impl ChatStore for DynamoChatStore {
    async fn create_room(&self, room: &NewRoom) -> Result<Created, ChatWriteError> {
        let id = room.id.as_ref();
        let mut meta = key(room_pk(id), "META");
        if let Some(name) = &room.name {
            meta.insert("name".to_owned(), text(name.as_ref()));
        }
        meta.insert("createdAt".to_owned(), number(room.at_ms));
        meta.insert("lastActivity".to_owned(), number(room.at_ms));
        meta.insert("lastSeq".to_owned(), number(0));
        meta.insert(
            "members".to_owned(),
            AttributeValue::L(room.members.iter().map(person_value).collect()),
        );
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(self.put(meta, "attribute_not_exists(pk)")?);
        for person in &room.members {
            request = request
                .transact_items(self.put(
                    Self::membership_item(id, person),
                    "attribute_not_exists(pk)",
                )?)
                .transact_items(self.count_room(&person.sub, 1)?);
        }
        match request.send().await {
            Ok(_) => {
                let created = self
                    .read_room(id)
                    .await?
                    .ok_or_else(|| corrupt("new room"))?;
                Ok(Created::New(created))
            }
            Err(err) => match failed_conditions(&err) {
                Some(failed) if failed.first() == Some(&true) => {
                    let existing = self
                        .read_room(id)
                        .await?
                        .ok_or_else(|| corrupt("existing room"))?;
                    Ok(Created::Existing(existing))
                }
                Some(failed) if failed.iter().any(|f| *f) => Err(ChatWriteError::Full),
                _ => Err(StoreError::unavailable(err).into()),
            },
        }
    }

    async fn room_for(
        &self,
        id: &RoomId,
        sub: &str,
    ) -> Result<Option<(Room, Membership)>, StoreError> {
        let items = batch_get(
            &self.client,
            &self.table,
            vec![
                key(room_pk(id.as_ref()), "META"),
                key(room_pk(id.as_ref()), member_sk(sub)),
            ],
        )
        .await?;
        let is = |item: &&Item, sk: &str| {
            item.get("sk")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|v| v == sk)
        };
        let (Some(meta), Some(member)) = (
            items.iter().find(|item| is(item, "META")),
            items.iter().find(|item| is(item, &member_sk(sub))),
        ) else {
            return Ok(None);
        };
        let room = room_from(meta)?;
        let me = membership_from(member, &room)?;
        Ok(Some((room, me)))
    }

    async fn rooms_of(&self, sub: &str) -> Result<Vec<(Room, Membership)>, StoreError> {
        let memberships = query_all(
            self.client
                .query()
                .table_name(&self.table)
                .index_name(MEMBER_ROOMS_INDEX)
                .key_condition_expression("memberSub = :sub")
                .expression_attribute_values(":sub", text(sub)),
        )
        .await?;
        let keys = memberships
            .iter()
            .map(|member| Ok(key(room_pk(string(member, "roomId")?), "META")))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let rooms: HashMap<String, Room> = batch_get(&self.client, &self.table, keys)
            .await?
            .iter()
            .map(|item| room_from(item).map(|room| (room.id.to_string(), room)))
            .collect::<Result<_, _>>()?;
        memberships
            .iter()
            .filter_map(|member| {
                let room = rooms.get(string(member, "roomId").ok()?)?;
                Some(membership_from(member, room).map(|me| (room.clone(), me)))
            })
            .collect()
    }

    async fn append(
        &self,
        room: &RoomId,
        message: &NewMessage,
    ) -> Result<(StoredMessage, Room), ChatWriteError> {
        let id = room.as_ref();
        for attempt in 0..MAX_ATTEMPTS {
            let current = self.existing_room(id).await?;
            let next = current.last_seq + 1;
            let advance = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(room_pk(id), "META")))
                .update_expression(
                    "SET lastSeq = :next, lastActivity = :at, lastPreview = :preview",
                )
                .condition_expression("lastSeq = :seen")
                .expression_attribute_values(":next", number(next))
                .expression_attribute_values(":seen", number(current.last_seq))
                .expression_attribute_values(":at", number(message.at_ms))
                .expression_attribute_values(":preview", text(&message.preview))
                .build()
                .map_err(StoreError::unavailable)?;
            let mut item = key(room_pk(id), message_sk(next));
            item.insert("seq".to_owned(), number(next));
            item.insert("senderSub".to_owned(), text(&message.sender.sub));
            item.insert("senderName".to_owned(), text(&message.sender.username));
            item.insert("text".to_owned(), text(message.text.as_ref()));
            item.insert("sentAt".to_owned(), number(message.at_ms));
            let written = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(advance).build())
                .transact_items(self.put(item, "attribute_not_exists(pk)")?)
                .transact_items(self.read_by_sender(id, &message.sender.sub, next)?)
                .send()
                .await;
            match written {
                Ok(_) => {
                    let stored = StoredMessage {
                        room_id: room.clone(),
                        seq: next,
                        sender: message.sender.clone(),
                        text: message.text.clone(),
                        sent_at_ms: message.at_ms,
                    };
                    let updated = Room {
                        last_seq: next,
                        last_activity_ms: message.at_ms,
                        last_preview: Some(message.preview.clone()),
                        ..current
                    };
                    return Ok((stored, updated));
                }
                Err(err) => match failed_conditions(&err).as_deref() {
                    Some([_, _, true]) => return Err(ChatWriteError::NotMember),
                    Some(_) => back_off(attempt).await,
                    None => return Err(StoreError::unavailable(err).into()),
                },
            }
        }
        Err(StoreError::Unavailable("a message lost its race for a number too often".into()).into())
    }

    async fn messages(
        &self,
        room: &RoomId,
        limit: usize,
        before: Option<u64>,
    ) -> Result<MessagePage, StoreError> {
        let upper = before.map_or(u64::MAX / 2, |before| before.saturating_sub(1));
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :first AND :last")
            .expression_attribute_values(":pk", text(room_pk(room.as_ref())))
            .expression_attribute_values(":first", text(message_sk(1)))
            .expression_attribute_values(":last", text(message_sk(upper)))
            .scan_index_forward(false)
            .limit(i32::try_from(limit.saturating_add(1)).unwrap_or(i32::MAX))
            .send()
            .await
            .map_err(StoreError::unavailable)?;
        let messages = output
            .items()
            .iter()
            .map(|item| message_from(item, room))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(MessagePage::from_overfetch(messages, limit))
    }

    async fn mark_read(
        &self,
        room: &RoomId,
        sub: &str,
        up_to: u64,
    ) -> Result<(Room, Membership), ChatWriteError> {
        let id = room.as_ref();
        let current = self.existing_room(id).await?;
        let mark = up_to.min(current.last_seq);
        let moved = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(id), member_sk(sub))))
            .update_expression("SET lastReadSeq = :mark")
            .condition_expression("attribute_exists(pk) AND lastReadSeq < :mark")
            .expression_attribute_values(":mark", number(mark))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send()
            .await;
        if let Err(err) = moved {
            let Some(UpdateItemError::ConditionalCheckFailedException(refused)) =
                err.as_service_error()
            else {
                return Err(StoreError::unavailable(err).into());
            };
            // The mark never moves back: a failed condition on an existing item means it
            // was already there. Without an item there is no membership.
            if refused.item.is_none() && self.room_for(room, sub).await?.is_none() {
                return Err(ChatWriteError::NotMember);
            }
        }
        self.room_for(room, sub)
            .await?
            .ok_or(ChatWriteError::NotMember)
    }

    async fn add_member(
        &self,
        room: &RoomId,
        by: &str,
        person: &Person,
    ) -> Result<Room, ChatWriteError> {
        let id = room.as_ref();
        let join = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(room_pk(id), "META")))
            .update_expression("SET members = list_append(members, :person)")
            .condition_expression("size(members) < :max")
            .expression_attribute_values(":person", AttributeValue::L(vec![person_value(person)]))
            .expression_attribute_values(":max", number(MAX_MEMBERS))
            .build()
            .map_err(StoreError::unavailable)?;
        let written = self
            .client
            .transact_write_items()
            .transact_items(self.member_exists(id, by)?)
            .transact_items(self.put(
                Self::membership_item(id, person),
                "attribute_not_exists(pk)",
            )?)
            .transact_items(TransactWriteItem::builder().update(join).build())
            .transact_items(self.count_room(&person.sub, 1)?)
            .send()
            .await;
        match written {
            Ok(_) => self.existing_room(id).await,
            Err(err) => Err(match failed_conditions(&err).as_deref() {
                Some([true, ..]) => ChatWriteError::NotMember,
                Some([_, true, ..]) => ChatWriteError::AlreadyMember,
                Some([_, _, true, _] | [_, _, _, true]) => ChatWriteError::Full,
                _ => StoreError::unavailable(err).into(),
            }),
        }
    }

    async fn remove_member(&self, room: &RoomId, sub: &str) -> Result<Room, ChatWriteError> {
        let id = room.as_ref();
        for attempt in 0..MAX_ATTEMPTS {
            let current = self.existing_room(id).await?;
            let Some(index) = current.members.iter().position(|person| person.sub == sub) else {
                return Err(ChatWriteError::NotMember);
            };
            let leave = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(room_pk(id), "META")))
                .update_expression(format!("REMOVE members[{index}]"))
                .condition_expression(format!("members[{index}].#sub = :sub"))
                .expression_attribute_names("#sub", "sub")
                .expression_attribute_values(":sub", text(sub))
                .build()
                .map_err(StoreError::unavailable)?;
            let forget = aws_sdk_dynamodb::types::Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(room_pk(id), member_sk(sub))))
                .condition_expression("attribute_exists(pk)")
                .build()
                .map_err(StoreError::unavailable)?;
            let written = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(leave).build())
                .transact_items(TransactWriteItem::builder().delete(forget).build())
                .transact_items(self.count_room(sub, -1)?)
                .send()
                .await;
            match written {
                Ok(_) => return self.existing_room(id).await,
                Err(err) => match failed_conditions(&err).as_deref() {
                    Some([_, true, _]) => return Err(ChatWriteError::NotMember),
                    Some(_) => back_off(attempt).await,
                    None => return Err(StoreError::unavailable(err).into()),
                },
            }
        }
        Err(StoreError::Unavailable("leaving lost its race too often".into()).into())
    }
}

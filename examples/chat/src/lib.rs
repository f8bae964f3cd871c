//! Chat rooms by URL (`/?room=rust`): everyone in a room sees each message as it is sent, and
//! the room's recent history survives a reload while the server runs.
//!
//! A room's history lives in the controller (shared by every session, bounded); each page keeps
//! a copy in its state. `on_connect` subscribes the page to its room's topic; `send` appends to
//! the history and `broadcast_action(topic, "receive", …)` makes every page in the room re-read
//! it. `on_navigate` follows the `room` query parameter (a link to another room, with or without
//! JavaScript). A user is a browser: its name, set once with a form, is shared by its tabs.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use askama::Template;
use livetemplate::FormData;
use livetemplate::{Config, LiveRouter};
use livetemplate::{Context, LiveTemplate, live_controller};
use livetemplate::{FieldErrors, Validate};
use serde::Deserialize;

/// Messages kept per room.
pub const HISTORY: usize = 50;
/// Rooms kept in memory. A message to a further room evicts the quietest room (the one whose
/// last message is oldest) other than the linked [`ROOMS`], so a client that opens many rooms
/// cannot lock everyone else out of new ones.
pub const MAX_ROOMS: usize = 100;
/// The room of a URL without (or with an unusable) `room` parameter.
pub const DEFAULT_ROOM: &str = "lobby";
/// The rooms linked from every page (any other name works too).
pub const ROOMS: [&str; 3] = ["lobby", "rust", "random"];

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Unique across rooms; the list item's key.
    pub id: u64,
    /// Who sent it.
    pub author: String,
    /// What they wrote.
    pub text: String,
}

/// The page's state.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "chat.html")]
pub struct ChatPage {
    /// The room shown.
    pub room: String,
    /// The rooms linked in the navigation.
    pub rooms: Vec<&'static str>,
    /// This browser's name; empty until set.
    pub name: String,
    /// The room's recent messages, oldest first.
    pub messages: Vec<Line>,
    /// The error of the last form, shown next to its field.
    pub error: Option<String>,
}

/// The name form.
#[derive(Debug, Deserialize)]
pub struct NameForm {
    /// The name.
    #[serde(default)]
    pub name: String,
}

impl Validate for NameForm {
    fn validate(&self) -> Result<(), FieldErrors> {
        let name = self.name.trim();
        let mut errors = FieldErrors::new();
        errors.check("name", !name.is_empty(), "pick a name").check(
            "name",
            name.chars().count() <= 24,
            "at most 24 characters",
        );
        errors.into_result()
    }
}

/// The message form.
#[derive(Debug, Deserialize)]
pub struct Say {
    /// The message.
    #[serde(default)]
    pub text: String,
}

impl Validate for Say {
    fn validate(&self) -> Result<(), FieldErrors> {
        let text = self.text.trim();
        let mut errors = FieldErrors::new();
        errors
            .check("text", !text.is_empty(), "write something first")
            .check(
                "text",
                text.chars().count() <= 500,
                "at most 500 characters",
            );
        errors.into_result()
    }
}

/// The chat; clones share the rooms.
#[derive(Debug, Clone, Default)]
pub struct ChatController {
    rooms: Arc<Mutex<HashMap<String, VecDeque<Line>>>>,
    next_id: Arc<AtomicU64>,
}

#[live_controller]
impl ChatController {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<ChatPage> {
        let room = room_of(ctx);
        Ok(ChatPage {
            messages: self.history(&room),
            room,
            rooms: ROOMS.to_vec(),
            name: String::new(),
            error: None,
        })
    }

    async fn on_connect(&self, state: &mut ChatPage, ctx: &mut Context) -> livetemplate::Result {
        ctx.subscribe(topic(&state.room));
        // Messages sent between the page load and this connection.
        state.messages = self.history(&state.room);
        Ok(())
    }

    /// Every page load and every query change: follow the `room` parameter.
    async fn on_navigate(&self, state: &mut ChatPage, ctx: &mut Context) -> livetemplate::Result {
        let room = room_of(ctx);
        if room != state.room {
            ctx.unsubscribe(topic(&state.room));
            ctx.subscribe(topic(&room));
            state.room = room;
            state.error = None;
            // The browser's other tabs show the same room: they share the state.
            ctx.sync();
        }
        state.messages = self.history(&state.room);
        Ok(())
    }

    /// Sets this browser's name.
    pub fn set_name(&self, state: &mut ChatPage, ctx: &mut Context) {
        match ctx.bind_valid::<NameForm>() {
            Ok(form) => {
                state.name = form.name.trim().to_owned();
                state.error = None;
            }
            Err(error) => state.error = first_error(error.field_errors()),
        }
        ctx.sync();
    }

    /// Sends a message to everyone in the room.
    pub fn send(&self, state: &mut ChatPage, ctx: &mut Context) {
        let said = match ctx.bind_valid::<Say>() {
            _ if state.name.is_empty() => Err("pick a name first".to_owned()),
            Ok(form) => self.append(&state.room, &state.name, form.text.trim()),
            Err(error) => Err(first_error(error.field_errors()).unwrap_or_default()),
        };
        match said {
            Ok(()) => {
                state.error = None;
                state.messages = self.history(&state.room);
                ctx.broadcast_action(topic(&state.room), "receive", FormData::new());
            }
            Err(error) => state.error = Some(error),
        }
        ctx.sync();
    }

    /// Broadcast after every message: re-reads the room's history. Server-only: no client
    /// can call it (nor name it in the template).
    #[server_only]
    pub fn receive(&self, state: &mut ChatPage, _ctx: &mut Context) {
        state.messages = self.history(&state.room);
    }
}

impl ChatController {
    fn history(&self, room: &str) -> Vec<Line> {
        let rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        rooms
            .get(room)
            .map(|lines| lines.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn append(&self, room: &str, author: &str, text: &str) -> Result<(), String> {
        let mut rooms = self.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        if !rooms.contains_key(room) && rooms.len() >= MAX_ROOMS {
            let quietest = rooms
                .iter()
                .filter(|(name, _)| !ROOMS.contains(&name.as_str()))
                .min_by_key(|(_, lines)| lines.back().map_or(0, |line| line.id))
                .map(|(name, _)| name.clone());
            match quietest {
                Some(name) => {
                    rooms.remove(&name);
                }
                None => return Err("too many rooms are open; try an existing one".to_owned()),
            }
        }
        let lines = rooms.entry(room.to_owned()).or_default();
        if lines.len() == HISTORY {
            lines.pop_front();
        }
        lines.push_back(Line {
            id: self.next_id.fetch_add(1, Ordering::Relaxed) + 1,
            author: author.to_owned(),
            text: text.to_owned(),
        });
        Ok(())
    }
}

/// The room named by the query: lower-case letters, digits and `-`, at most 24 characters.
fn room_of(ctx: &Context) -> String {
    let asked: String = ctx.query_get("room").unwrap_or_default();
    let asked = asked.trim().to_ascii_lowercase();
    let usable = !asked.is_empty()
        && asked.len() <= 24
        && asked
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if usable {
        asked
    } else {
        DEFAULT_ROOM.to_owned()
    }
}

fn topic(room: &str) -> String {
    format!("chat:{room}")
}

fn first_error(errors: &FieldErrors) -> Option<String> {
    errors.iter().next().map(|(_, message)| message.to_owned())
}

/// The app: the chat at `/`.
pub fn app() -> LiveRouter {
    LiveRouter::with_config(Config::new().title("Chat")).route("/", ChatController::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_rooms_evict_the_quietest_and_never_lock_anyone_out() {
        let chat = ChatController::default();
        let said = chat.append("lobby", "ann", "hello");
        assert_eq!(said, Ok(()));
        for n in 0..MAX_ROOMS * 3 {
            let said = chat.append(&format!("spam-{n}"), "mallory", "x");
            assert_eq!(said, Ok(()), "room {n}");
        }
        assert_eq!(
            chat.append("a-new-room", "bob", "hi"),
            Ok(()),
            "a new room still opens"
        );
        let rooms = chat.rooms.lock().unwrap_or_else(PoisonError::into_inner);
        assert_eq!(rooms.len(), MAX_ROOMS);
        drop(rooms);
        assert_eq!(chat.history("lobby").len(), 1, "linked rooms are kept");
        assert_eq!(chat.history("spam-0").len(), 0, "the quietest went first");
        assert_eq!(chat.history("a-new-room").len(), 1);
    }
}

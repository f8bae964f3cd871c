//! The chat room the socket and Redis tests share: every connected session hears every `send`
//! (`on_connect` subscribes to the topic `room`; `send` broadcasts `receive` to it).

use livetemplate::FormData;
use livetemplate::{Context, LiveTemplate, live_controller};
use serde::{Deserialize, Serialize};

/// One session's view of the room: the lines it has heard, in order. Serializable, so it can
/// live in a Redis session store too.
#[derive(Debug, Clone, askama::Template, LiveTemplate, Serialize, Deserialize)]
#[template(path = "chat.html")]
pub struct Room {
    /// The lines heard so far.
    pub lines: Vec<String>,
}

/// The form of `send` and the data of `receive`.
#[derive(Debug, Deserialize)]
pub struct Line {
    text: String,
}

/// The room's controller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Chat;

#[live_controller]
impl Chat {
    async fn mount(&self, _ctx: &mut Context) -> livetemplate::Result<Room> {
        Ok(Room { lines: Vec::new() })
    }

    async fn on_connect(&self, _state: &mut Room, ctx: &mut Context) -> livetemplate::Result {
        ctx.subscribe("room");
        Ok(())
    }

    /// Tells everyone in the room (this session included) the line.
    pub fn send(&self, _state: &mut Room, form: Line, ctx: &mut Context) {
        let mut data = FormData::new();
        data.insert("text", form.text);
        ctx.broadcast_action("room", "receive", data);
    }

    /// Hears a line (broadcast by `send`; no client may call it).
    #[server_only]
    pub fn receive(&self, state: &mut Room, form: Line, _ctx: &mut Context) {
        state.lines.push(form.text);
    }
}

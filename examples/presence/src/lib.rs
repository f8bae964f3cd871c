//! Who is on the page right now: each browser joins when its first tab connects and leaves
//! when its last tab closes; everyone watching sees the list change.
//!
//! A user is a browser (its session): several tabs of one browser count once, and the list
//! shows how many tabs each has open. The registry of who is here lives in the controller
//! (shared by every session); `on_connect` and `on_disconnect` update it and
//! `broadcast_action` tells every open page to re-read it. A browser without JavaScript sees
//! the list as it was when the page loaded, and is not counted: it holds no live connection.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use askama::Template;
use livetemplate::FormData;
use livetemplate::{Config, LiveRouter};
use livetemplate::{Context, LiveTemplate, live_controller};

/// The topic every page subscribes to.
pub const TOPIC: &str = "presence";

/// One person on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name shown (derived from the session).
    pub name: String,
    /// How many of their tabs are open.
    pub tabs: usize,
}

/// The page's state.
#[derive(Debug, Clone, Template, LiveTemplate)]
#[template(path = "presence.html")]
pub struct Lobby {
    /// This browser's name.
    pub me: String,
    /// Who is here, by name.
    pub here: Vec<Person>,
}

/// Who is here: open tabs per name.
#[derive(Debug, Default)]
struct Registry(Mutex<BTreeMap<String, usize>>);

impl Registry {
    fn change(&self, name: &str, joined: bool) {
        let mut tabs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let count = tabs.entry(name.to_owned()).or_default();
        if joined {
            *count += 1;
        } else {
            *count = count.saturating_sub(1);
            if *count == 0 {
                tabs.remove(name);
            }
        }
    }

    fn people(&self) -> Vec<Person> {
        let tabs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        tabs.iter()
            .map(|(name, &tabs)| Person {
                name: name.clone(),
                tabs,
            })
            .collect()
    }
}

/// The presence page; clones share one registry.
#[derive(Debug, Clone, Default)]
pub struct PresenceController {
    registry: Arc<Registry>,
}

#[live_controller]
impl PresenceController {
    async fn mount(&self, ctx: &mut Context) -> livetemplate::Result<Lobby> {
        Ok(Lobby {
            me: guest_name(ctx.session_id()),
            here: self.registry.people(),
        })
    }

    async fn on_connect(&self, state: &mut Lobby, ctx: &mut Context) -> livetemplate::Result {
        self.registry.change(&state.me, true);
        state.here = self.registry.people();
        ctx.subscribe(TOPIC);
        ctx.broadcast_action(TOPIC, "refresh", FormData::new());
        Ok(())
    }

    async fn on_disconnect(&self, state: &mut Lobby, ctx: &mut Context) -> livetemplate::Result {
        self.registry.change(&state.me, false);
        state.here = self.registry.people();
        ctx.broadcast_action(TOPIC, "refresh", FormData::new());
        Ok(())
    }

    /// Broadcast when someone joins or leaves: re-reads who is here. Server-only: no client
    /// can call it.
    #[server_only]
    pub fn refresh(&self, state: &mut Lobby, _ctx: &mut Context) {
        state.here = self.registry.people();
    }
}

/// A stable, short guest name for a session (its id is a secret; the name is a hash of it).
fn guest_name(session: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    session.hash(&mut hasher);
    format!("guest-{:06x}", hasher.finish() & 0xff_ffff)
}

/// The app: the presence page at `/`.
pub fn app() -> LiveRouter {
    LiveRouter::with_config(Config::new().title("Who is here"))
        .route("/", PresenceController::default())
}

//! Encoding trees and patches as the JSON of `../shared/PROTOCOL.md`.
//!
//! One [`Encoder`] per connection remembers which statics tables that connection has been
//! sent, so each table crosses the wire once. Our client caches tables by the small id in
//! `"f"`; the existing `@livetemplate/client` has no such cache and ignores `"f"`, so for it
//! every new subtree carries its `"s"` ([`ClientKind::Legacy`]).

use std::collections::HashMap;
use std::fmt::Write as _;

use super::json;
use super::keys as k;
use crate::diff::{Change, Changes, ListOp, Patch};
use crate::render::{Item, ItemKey, List, Node, Rendered, Slot, Slots, Statics, item_keys};

/// Which browser client a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientKind {
    /// livetemplate's own client: statics tables are sent once and then named by `"f"`.
    #[default]
    Livetemplate,
    /// The existing `@livetemplate/client`: every new subtree carries its statics.
    Legacy,
}

/// Encodes one connection's frames; remembers the statics tables it has sent.
#[derive(Debug, Default)]
pub struct Encoder {
    client: ClientKind,
    sent: HashMap<u64, u32>,
    /// Inside a subtree that replaces another (see [`Encoder::node`]).
    replacing: bool,
}

impl Encoder {
    /// An encoder for a new connection.
    pub fn new(client: ClientKind) -> Self {
        Encoder {
            client,
            sent: HashMap::new(),
            replacing: false,
        }
    }

    /// The client this encoder writes for.
    pub fn client(&self) -> ClientKind {
        self.client
    }

    /// Forgets every table sent, as after a reconnect: the next tree carries all statics.
    pub fn reset(&mut self) {
        self.sent.clear();
    }

    /// The whole tree: the `"tree"` value of a connection's first frame.
    pub fn tree(&mut self, tree: &Rendered) -> String {
        let mut out = String::with_capacity(tree.size_hint() + tree.size_hint() / 4 + 64);
        self.node(&mut out, tree.root());
        out
    }

    /// Only what changed: the `"tree"` value of an update frame (`{}` when nothing did).
    pub fn patch(&mut self, patch: &Patch<'_>) -> String {
        let mut out = String::new();
        match patch.root() {
            None => out.push_str("{}"),
            Some(change) => self.change(&mut out, change),
        }
        out
    }

    // ---- whole subtrees ------------------------------------------------------------------

    fn node(&mut self, out: &mut String, node: Node<'_>) {
        out.push('{');
        self.statics(out, node.statics());
        let mut first = false;
        self.slots(out, node.slots(), &mut first);
        if self.replacing && self.client == ClientKind::Legacy {
            // @livetemplate/client merges a replacing node into the old one unless a slot
            // went missing; an old list's `"d"` would survive and keep rendering the list.
            out.push(',');
            out.push_str(k::ITEMS);
            out.push_str(":null");
        }
        out.push('}');
    }

    fn slots(&mut self, out: &mut String, slots: Slots<'_>, first: &mut bool) {
        for (index, slot) in slots.enumerate() {
            comma(out, first);
            json::slot_key(out, index);
            self.slot(out, slot);
        }
    }

    fn slot(&mut self, out: &mut String, slot: Slot<'_>) {
        match slot {
            Slot::Text(text) => json::string(out, text),
            Slot::Node(node) => self.node(out, node),
            Slot::List(list) => self.list(out, list),
        }
    }

    fn list(&mut self, out: &mut String, list: List<'_>) {
        out.push('{');
        self.statics(out, list.statics());
        out.push(',');
        out.push_str(k::ITEMS);
        out.push_str(":[");
        let keys = item_keys(list);
        for (i, (item, key)) in list.items().zip(&keys).enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.item(out, item, key);
        }
        out.push(']');
        if let Some(slot) = list.key_slot() {
            out.push(',');
            out.push_str(k::META);
            out.push_str(":{");
            out.push_str(k::ID_KEY);
            out.push(':');
            json::string(out, &slot.to_string());
            out.push('}');
        }
        out.push('}');
    }

    fn item(&mut self, out: &mut String, item: Item<'_>, key: &ItemKey<'_>) {
        out.push('{');
        let mut first = true;
        self.slots(out, item.slots(), &mut first);
        if key.synthetic {
            comma(out, &mut first);
            out.push_str(k::ITEM_KEY);
            out.push(':');
            json::string(out, &key.key);
        }
        out.push('}');
    }

    /// Writes `"s"` (when the client lacks the table) and, for our client, `"f"`.
    fn statics(&mut self, out: &mut String, statics: &'static Statics) {
        let client = self.client;
        let next = u32::try_from(self.sent.len()).unwrap_or(u32::MAX);
        let (id, new) = match self.sent.get(&statics.fingerprint()) {
            Some(&id) => (id, false),
            None => {
                self.sent.insert(statics.fingerprint(), next);
                (next, true)
            }
        };
        if new || client == ClientKind::Legacy {
            out.push_str(k::STATICS);
            out.push_str(":[");
            for (i, part) in statics.parts().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::string(out, part);
            }
            out.push(']');
        }
        if client == ClientKind::Livetemplate {
            if new {
                out.push(',');
            }
            out.push_str(k::FINGERPRINT);
            out.push(':');
            // No temporary string on this per-node path.
            let _ = write!(out, "{id}");
        }
    }

    // ---- changes -------------------------------------------------------------------------

    fn change(&mut self, out: &mut String, change: &Change<'_>) {
        match change {
            Change::Text(text) => json::string(out, text),
            Change::Node(changes) => self.changes(out, changes),
            Change::List(ops) => self.ops(out, ops),
            Change::Replace(slot) => {
                let outer = std::mem::replace(&mut self.replacing, true);
                self.slot(out, *slot);
                self.replacing = outer;
            }
        }
    }

    fn changes(&mut self, out: &mut String, changes: &Changes<'_>) {
        out.push('{');
        for (i, (index, change)) in changes.slots().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json::slot_key(out, *index);
            self.change(out, change);
        }
        out.push('}');
    }

    fn ops(&mut self, out: &mut String, ops: &[ListOp<'_>]) {
        out.push('[');
        for (i, op) in ops.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match op {
                ListOp::Remove(key) => {
                    out.push_str("[\"r\",");
                    json::string(out, key);
                }
                ListOp::Update(key, changes) => {
                    out.push_str("[\"u\",");
                    json::string(out, key);
                    out.push(',');
                    self.changes(out, changes);
                }
                ListOp::Insert { after, item } => {
                    out.push_str("[\"i\",");
                    json::string(out, after);
                    out.push(',');
                    self.item(out, item.0, &item.1);
                }
                ListOp::Append(items) | ListOp::Prepend(items) => {
                    out.push_str(if matches!(op, ListOp::Append(_)) {
                        "[\"a\",["
                    } else {
                        "[\"p\",["
                    });
                    for (n, (item, key)) in items.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        self.item(out, *item, key);
                    }
                    out.push(']');
                }
                ListOp::Reorder(keys) => {
                    out.push_str("[\"o\",[");
                    for (n, key) in keys.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        json::string(out, key);
                    }
                    out.push(']');
                }
            }
            out.push(']');
        }
        out.push(']');
    }
}

fn comma(out: &mut String, first: &mut bool) {
    if !*first {
        out.push(',');
    }
    *first = false;
}

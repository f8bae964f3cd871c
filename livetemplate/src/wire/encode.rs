//! Encoding trees and patches as the JSON of the protocol (`docs/src/protocol.md`, "Trees"
//! and "Updates").
//!
//! One [`Encoder`] per connection remembers which statics tables that connection has been
//! sent, so each table crosses the wire once. Our client caches tables by the small id in
//! `"f"`; the existing `@livetemplate/client` has no such cache and ignores `"f"`, so for it
//! every new subtree carries its `"s"` ([`ClientKind::Legacy`]).
//!
//! # Our client's short forms
//!
//! The protocol lets our own client take additive extensions (`docs/src/protocol.md`,
//! "Short forms"). To keep the common frames a few dozen bytes, [`ClientKind::Livetemplate`] trees use these forms (the reference client
//! [`apply`](super::apply) and the browser client read both these and the plain ones):
//!
//! | value | plain form | short form |
//! |---|---|---|
//! | a whole number as text | `"42"` | `42` (only when it reads back as the same text: no `"007"`, no `"-0"`) |
//! | a node whose table the client holds | `{"f":3,"0":"a"}` | `[3,"a"]` |
//! | a node that renders nothing (an `if` without `else`, not taken) | `{"s":[""],"f":1}` | `""` |
//! | a list item | `{"0":"a","1":"b"}` | `["a","b"]` (items with a made-up key keep `{…,"_k":…}`) |
//! | list operations | `["r",k]` `["u",k,c]` `["i",after,item]` `["a",[items]]` `["p",[items]]` `["o",[keys]]` | `[0,k,…]` `[1,k,c]` `[2,after,item]` `[3,item,…]` `[4,item,…]` `[5,k,…]` |
//!
//! A slot value that is an array is therefore list operations when its first element is an
//! array, and a node in short form when its first element is a number. Frames carrying these
//! trees use a short envelope too ([`frame::reply`](super::frame::reply)).

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
        if self.client == ClientKind::Livetemplate {
            let statics = node.statics();
            if statics.parts() == [""] {
                // A branch that renders nothing (an `if` with no `else`) is empty text to our
                // client: the same HTML, and no table to send or name.
                out.push_str("\"\"");
                return;
            }
            if let Some(&id) = self.sent.get(&statics.fingerprint()) {
                // A table the client holds: `[id, slot0, slot1, …]`.
                let _ = write!(out, "[{id}");
                for slot in node.slots() {
                    out.push(',');
                    self.slot(out, slot);
                }
                out.push(']');
                return;
            }
        }
        out.push('{');
        self.statics(out, node.statics());
        let mut first = false;
        self.slots(out, node.slots(), &mut first);
        if self.replacing && self.client == ClientKind::Legacy {
            // @livetemplate/client merges a replacing node into the old one unless a slot
            // went missing; an old list's `"d"` would survive and keep rendering the list.
            out.push(',');
            json::key(out, k::ITEMS);
            out.push_str("null");
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
            Slot::Text(text) => self.text(out, text),
            Slot::Node(node) => self.node(out, node),
            Slot::List(list) => self.list(out, list),
        }
    }

    /// Text, or for our client a whole number as a JSON number when it reads back the same.
    fn text(&self, out: &mut String, text: &str) {
        if self.client == ClientKind::Livetemplate && json::is_plain_integer(text) {
            out.push_str(text);
        } else {
            json::string(out, text);
        }
    }

    fn list(&mut self, out: &mut String, list: List<'_>) {
        out.push('{');
        self.statics(out, list.statics());
        out.push(',');
        json::key(out, k::ITEMS);
        out.push('[');
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
            json::key(out, k::LIST_META);
            out.push('{');
            json::key(out, k::ID_KEY);
            json::string(out, &slot.to_string());
            out.push('}');
        }
        out.push('}');
    }

    fn item(&mut self, out: &mut String, item: Item<'_>, key: &ItemKey<'_>) {
        if self.client == ClientKind::Livetemplate && !key.synthetic {
            // Our client reads an item's slots by position: `[slot0, slot1, …]`.
            out.push('[');
            for (i, slot) in item.slots().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                self.slot(out, slot);
            }
            out.push(']');
            return;
        }
        out.push('{');
        let mut first = true;
        self.slots(out, item.slots(), &mut first);
        if key.synthetic {
            comma(out, &mut first);
            json::key(out, k::ITEM_KEY);
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
            json::key(out, k::STATICS);
            out.push('[');
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
            json::key(out, k::FINGERPRINT);
            // No temporary string on this per-node path.
            let _ = write!(out, "{id}");
        }
    }

    // ---- changes -------------------------------------------------------------------------

    fn change(&mut self, out: &mut String, change: &Change<'_>) {
        match change {
            Change::Text(text) => self.text(out, text),
            Change::Node(changes) => self.changes(out, changes),
            Change::List(ops) => match self.client {
                ClientKind::Livetemplate => self.compact_ops(out, ops),
                ClientKind::Legacy => self.ops(out, ops),
            },
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

    /// The plain list operations (`docs/src/protocol.md`, "List operations"), for
    /// `@livetemplate/client`.
    fn ops(&mut self, out: &mut String, ops: &[ListOp<'_>]) {
        out.push('[');
        for (i, op) in ops.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match op {
                ListOp::Remove(key) => {
                    plain_op(out, k::OP_REMOVE);
                    json::string(out, key);
                }
                ListOp::Update(key, changes) => {
                    plain_op(out, k::OP_UPDATE);
                    json::string(out, key);
                    out.push(',');
                    self.changes(out, changes);
                }
                ListOp::Insert { after, item } => {
                    plain_op(out, k::OP_INSERT);
                    json::string(out, after);
                    out.push(',');
                    self.item(out, item.0, &item.1);
                }
                ListOp::Append(items) | ListOp::Prepend(items) => {
                    let name = if matches!(op, ListOp::Append(_)) {
                        k::OP_APPEND
                    } else {
                        k::OP_PREPEND
                    };
                    plain_op(out, name);
                    out.push('[');
                    for (n, (item, key)) in items.iter().enumerate() {
                        if n > 0 {
                            out.push(',');
                        }
                        self.item(out, *item, key);
                    }
                    out.push(']');
                }
                ListOp::Reorder(keys) => {
                    plain_op(out, k::OP_REORDER);
                    out.push('[');
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

    /// The same operations in our client's short form (`compact` in the module docs): a
    /// numeric code, then its arguments flat; consecutive removes share one operation.
    fn compact_ops(&mut self, out: &mut String, ops: &[ListOp<'_>]) {
        out.push('[');
        let mut open_remove = false;
        for (i, op) in ops.iter().enumerate() {
            if let ListOp::Remove(key) = op {
                if open_remove {
                    out.push(',');
                } else {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "[{}", k::CODE_REMOVE);
                    out.push(',');
                    open_remove = true;
                }
                self.text(out, key);
                continue;
            }
            if open_remove {
                out.push(']');
                open_remove = false;
            }
            if i > 0 {
                out.push(',');
            }
            match op {
                ListOp::Remove(_) => {}
                ListOp::Update(key, changes) => {
                    let _ = write!(out, "[{},", k::CODE_UPDATE);
                    self.text(out, key);
                    out.push(',');
                    self.changes(out, changes);
                }
                ListOp::Insert { after, item } => {
                    let _ = write!(out, "[{},", k::CODE_INSERT);
                    self.text(out, after);
                    out.push(',');
                    self.item(out, item.0, &item.1);
                }
                ListOp::Append(items) | ListOp::Prepend(items) => {
                    let code = if matches!(op, ListOp::Append(_)) {
                        k::CODE_APPEND
                    } else {
                        k::CODE_PREPEND
                    };
                    let _ = write!(out, "[{code}");
                    for (item, key) in items {
                        out.push(',');
                        self.item(out, *item, key);
                    }
                }
                ListOp::Reorder(keys) => {
                    let _ = write!(out, "[{}", k::CODE_REORDER);
                    for key in keys {
                        out.push(',');
                        self.text(out, key);
                    }
                }
            }
            out.push(']');
        }
        if open_remove {
            out.push(']');
        }
        out.push(']');
    }
}

/// Opens a plain list operation: `["r",`.
fn plain_op(out: &mut String, name: &str) {
    out.push('[');
    json::string(out, name);
    out.push(',');
}

fn comma(out: &mut String, first: &mut bool) {
    if !*first {
        out.push(',');
    }
    *first = false;
}

//! Diff: the tree a connection last saw × a new tree → a [`Patch`] of only what changed.
//!
//! Nodes with the same statics table are compared slot by slot; a slot whose structure changed
//! (an `if` took another branch, a text slot became a list) is replaced whole. Lists are
//! compared by item key (an item's `data-key` or `id`) and become list operations: removes,
//! updates of changed slots, inserts, and a reorder only when moving items one by one would
//! cost more than naming the new order. A [`Patch`] is opaque: an
//! [`Encoder`](crate::wire::Encoder) turns it into the bytes a connection receives.
//!
//! ```
//! use askama::Template;
//! use livetemplate::LiveTemplate;
//! use livetemplate::diff::diff;
//! use livetemplate::wire::{ClientKind, Encoder};
//!
//! #[derive(Template, LiveTemplate)]
//! #[template(source = "<h1>{{ title }}</h1><p>{{ count }}</p>", ext = "html")]
//! struct Page { title: &'static str, count: u32 }
//!
//! let old = Page { title: "Counter", count: 1 }.render_tree()?;
//! let new = Page { title: "Counter", count: 2 }.render_tree()?;
//! let patch = diff(&old, &new);
//! // Only slot 1 changed.
//! let mut encoder = Encoder::new(ClientKind::Livetemplate);
//! encoder.tree(&old);
//! assert_eq!(encoder.patch(&patch), r#"{"1":2}"#);
//! assert!(diff(&new, &new).is_empty());
//! # Ok::<(), askama::Error>(())
//! ```

mod list;

use std::borrow::Cow;

pub(crate) use list::ListOp;

use crate::render::{Item, Node, Rendered, Shared, Slot, Slots, same_statics, shared_entries};

/// What changed between two renders of one template.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch<'r> {
    root: Option<Change<'r>>,
}

impl<'r> Patch<'r> {
    /// The change of the root node, `None` when nothing changed.
    pub(crate) fn root(&self) -> Option<&Change<'r>> {
        self.root.as_ref()
    }

    /// Whether the two renders are identical.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }
}

/// The change of one slot (or of the root).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Change<'r> {
    /// A text slot with new text.
    Text(&'r str),
    /// A node with the same statics: only its changed slots.
    Node(Changes<'r>),
    /// A list with the same statics: operations on its items.
    List(Vec<ListOp<'r>>),
    /// A new value of different structure, sent whole.
    Replace(Slot<'r>),
}

/// The changed slots of a node or list item, by slot index, in order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Changes<'r> {
    slots: Vec<(usize, Change<'r>)>,
}

impl<'r> Changes<'r> {
    /// The changed slots, by index.
    pub(crate) fn slots(&self) -> &[(usize, Change<'r>)] {
        &self.slots
    }

    /// Whether no slot changed.
    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Compares the tree a client has (`old`) with a new render of the same template.
///
/// The entries the two renders share at their start and at their end are found first, in
/// bulk; list items among them need only their text compared, many items at a time.
pub fn diff<'r>(old: &'r Rendered, new: &'r Rendered) -> Patch<'r> {
    let shared = shared_entries(old, new);
    Patch {
        root: diff_node(old.root(), new.root(), shared),
    }
}

fn diff_node<'r>(old: Node<'r>, new: Node<'r>, shared: Shared) -> Option<Change<'r>> {
    if !same_statics(old.statics(), new.statics()) {
        return Some(Change::Replace(Slot::Node(new)));
    }
    let changes = diff_slots(old.slots(), new.slots(), shared);
    (!changes.is_empty()).then_some(Change::Node(changes))
}

/// Slot-by-slot changes between two slot sequences of the same statics table.
fn diff_slots<'r>(old: Slots<'r>, new: Slots<'r>, shared: Shared) -> Changes<'r> {
    let mut slots = Vec::new();
    for (index, (old, new)) in old.zip(new).enumerate() {
        if let Some(change) = diff_slot(old, new, shared) {
            slots.push((index, change));
        }
    }
    Changes { slots }
}

fn diff_slot<'r>(old: Slot<'r>, new: Slot<'r>, shared: Shared) -> Option<Change<'r>> {
    match (old, new) {
        (Slot::Text(old), Slot::Text(new)) => (old != new).then_some(Change::Text(new)),
        (Slot::Node(old), Slot::Node(new)) => diff_node(old, new, shared),
        (Slot::List(old), Slot::List(new)) if same_statics(old.statics(), new.statics()) => {
            let ops = list::diff_list(old, new, shared);
            (!ops.is_empty()).then_some(Change::List(ops))
        }
        (_, new) => Some(Change::Replace(new)),
    }
}

/// The changed slots of one list item.
fn diff_item<'r>(old: Item<'r>, new: Item<'r>, shared: Shared) -> Changes<'r> {
    diff_slots(old.slots(), new.slots(), shared)
}

/// A key as list operations carry it.
pub(crate) type Key<'r> = Cow<'r, str>;

//! The rendered tree: compile-time statics tables plus the dynamic slot values of one render.
//!
//! `#[derive(LiveTemplate)]` turns a template into a function that builds a [`Rendered`]. The
//! literal text of the template lives in `&'static` [`Statics`] tables generated at compile time;
//! a render only computes the dynamic slots. For this template:
//!
//! ```text
//! <h1>{{ title }}</h1>{% if admin %}<b>admin</b>{% endif %}<ul>{% for i in items %}<li data-key="{{ i.id }}">{{ i.name }}</li>{% endfor %}</ul>
//! ```
//!
//! the tree is
//!
//! ```text
//! Rendered {
//!   statics: ["<h1>", "</h1>", "<ul>", "</ul>"],
//!   dynamics: [
//!     Text("Cart"),                                         // {{ title }}
//!     Node(Rendered { statics: ["<b>admin</b>"], .. }),     // the taken `if` branch
//!     List(List { statics: ["<li data-key=\"", "\">", "</li>"], key_slot: Some(0),
//!                 items: [["p7", "Apples"], ["p8", "Pears"]] }),
//!   ],
//! }
//! ```
//!
//! Writing `statics[0] + slot0 + statics[1] + slot1 + … + statics[n]` gives exactly the bytes
//! askama renders for the same template and data.

mod html;

use compact_str::CompactString;

/// A compile-time table of the literal text around a node's slots.
///
/// A table with `n + 1` parts surrounds `n` slots. The fingerprint is computed by the derive
/// macro from the parts, so two renders of the same template structure share it, and a client
/// that has seen a table once need not receive it again.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Statics {
    parts: &'static [&'static str],
    fingerprint: u64,
}

impl Statics {
    /// Creates a table. Called by generated code; `parts` must be non-empty.
    #[doc(hidden)]
    pub const fn new(parts: &'static [&'static str], fingerprint: u64) -> Self {
        assert!(!parts.is_empty(), "a statics table has at least one part");
        Statics { parts, fingerprint }
    }

    /// The literal text parts, one more than the number of slots.
    pub const fn parts(&self) -> &'static [&'static str] {
        self.parts
    }

    /// The number of dynamic slots this table surrounds.
    pub const fn slot_count(&self) -> usize {
        self.parts.len() - 1
    }

    /// A stable fingerprint of the table, computed at compile time.
    pub const fn fingerprint(&self) -> u64 {
        self.fingerprint
    }
}

/// One node of the rendered tree: a statics table and the values of its slots.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    statics: &'static Statics,
    dynamics: Vec<Dynamic>,
}

impl Rendered {
    /// Builds a node. Called by generated code.
    ///
    /// In debug builds this checks that the number of values matches the table's slots.
    #[doc(hidden)]
    #[inline]
    pub fn new(statics: &'static Statics, dynamics: Vec<Dynamic>) -> Self {
        debug_assert_eq!(statics.slot_count(), dynamics.len(), "slot count mismatch");
        Rendered { statics, dynamics }
    }

    /// The node's statics table.
    pub fn statics(&self) -> &'static Statics {
        self.statics
    }

    /// The values of the node's slots, in template order.
    pub fn dynamics(&self) -> &[Dynamic] {
        &self.dynamics
    }

    /// Renders the tree to HTML: the same bytes as askama's `render()`.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(self.size_hint());
        self.write_html(&mut out);
        out
    }

    /// Appends the tree's HTML to `out`.
    pub fn write_html(&self, out: &mut String) {
        html::write_node(self.statics, &self.dynamics, out);
    }

    /// A cheap estimate of the HTML length, used to size buffers.
    pub fn size_hint(&self) -> usize {
        html::size_hint(self.statics, &self.dynamics)
    }
}

/// The value of one slot.
#[derive(Debug, Clone, PartialEq)]
pub enum Dynamic {
    /// Text that is already escaped for the template's output format (`{{ expr }}`).
    Text(CompactString),
    /// A nested node with its own statics (the taken branch of an `if` or `match`).
    Node(Rendered),
    /// A `for` loop: items sharing one statics table.
    List(List),
}

/// The items of a `for` loop; they share one statics table.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    statics: &'static Statics,
    key_slot: Option<usize>,
    items: Vec<Item>,
}

impl List {
    /// Builds a list. Called by generated code.
    #[doc(hidden)]
    #[inline]
    pub fn new(statics: &'static Statics, key_slot: Option<usize>, items: Vec<Item>) -> Self {
        List {
            statics,
            key_slot,
            items,
        }
    }

    /// The statics table every item shares.
    pub fn statics(&self) -> &'static Statics {
        self.statics
    }

    /// The slot holding each item's key: the value of a `data-key="…"` or `id="…"` attribute
    /// on the item's root element. `None` when the template gives items no key; items are then
    /// identified by position.
    pub fn key_slot(&self) -> Option<usize> {
        self.key_slot
    }

    /// The items, in order.
    pub fn items(&self) -> &[Item] {
        &self.items
    }
}

/// One item of a [`List`]: the values of the list's slots for one loop iteration.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    dynamics: Vec<Dynamic>,
}

impl Item {
    /// Builds an item. Called by generated code.
    #[doc(hidden)]
    #[inline]
    pub fn new(dynamics: Vec<Dynamic>) -> Self {
        Item { dynamics }
    }

    /// The values of the item's slots.
    pub fn dynamics(&self) -> &[Dynamic] {
        &self.dynamics
    }

    /// The item's key as the template writes it (escaped text), when the list has a key slot.
    pub fn key<'a>(&'a self, list: &List) -> Option<&'a str> {
        match self.dynamics.get(list.key_slot?)? {
            Dynamic::Text(key) => Some(key),
            _ => None,
        }
    }
}

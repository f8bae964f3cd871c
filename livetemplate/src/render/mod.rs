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
//! node ["<h1>", "</h1>", "<ul>", "</ul>"]
//!   [0] text "Cart"                                    {{ title }}
//!   [1] node ["<b>admin</b>"]                          the taken `if` branch
//!   [2] list ["<li data-key=\"", "\">", "</li>"]      key slot 0
//!         item ["p7", "Apples"]
//!         item ["p8", "Pears"]
//! ```
//!
//! Writing `statics[0] + slot0 + statics[1] + slot1 + … + statics[n]` gives exactly the bytes
//! askama renders for the same template and data.
//!
//! # Layout
//!
//! A render is two buffers, whatever the size of the page: one string holding every slot's
//! text back to back, and one flat list of entries in document order (a node, a list or an
//! item records where its subtree ends). Building a tree of a thousand rows therefore costs a
//! few amortised allocations, not one per row. [`Node`], [`Slot`], [`List`] and [`Item`] are
//! cheap, copyable views into it.

mod build;
mod html;
mod keys;

pub use build::{Builder, SizeHint};
pub use keys::{ItemKey, item_keys};
pub(crate) use keys::{KeyMap, key_at, key_map};

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

pub(crate) fn same_statics(a: &'static Statics, b: &'static Statics) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// One entry of the flat layout, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// A text slot: a range of [`Rendered::text`].
    Text { start: u32, end: u32 },
    /// A node; its slots follow, up to entry `end`.
    Node { statics: &'static Statics, end: u32 },
    /// A list; its items follow, up to entry `end`.
    List {
        statics: &'static Statics,
        key_slot: Option<u32>,
        end: u32,
    },
    /// A list item; its slots follow, up to entry `end`.
    Item { end: u32 },
}

impl Entry {
    /// The index after this entry's subtree, given its own index.
    fn next(self, index: usize) -> usize {
        match self {
            Entry::Text { .. } => index + 1,
            Entry::Node { end, .. } | Entry::List { end, .. } | Entry::Item { end } => end as usize,
        }
    }
}

/// The result of one render: the root node of a template and everything below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    text: String,
    entries: Vec<Entry>,
}

impl Rendered {
    /// The root node.
    pub fn root(&self) -> Node<'_> {
        Node {
            tree: self,
            index: 0,
        }
    }

    /// The root node's statics table.
    pub fn statics(&self) -> &'static Statics {
        self.root().statics()
    }

    /// The root node's slots, in template order.
    pub fn slots(&self) -> Slots<'_> {
        self.root().slots()
    }

    /// Renders the tree to HTML: the same bytes as askama's `render()`.
    pub fn to_html(&self) -> String {
        // A guess rather than an exact pre-pass: statics are typically a few times the slot
        // text, and one reallocation costs less than walking the tree twice.
        let mut out = String::with_capacity(self.text.len() * 3 + self.entries.len() * 24 + 256);
        self.write_html(&mut out);
        out
    }

    /// Appends the tree's HTML to `out`.
    pub fn write_html(&self, out: &mut String) {
        html::write_tree(self, out);
    }

    /// The length of the HTML this tree renders to.
    pub fn size_hint(&self) -> usize {
        html::size(self)
    }

    fn entry(&self, index: usize) -> Entry {
        self.entries[index]
    }

    fn text_of(&self, start: u32, end: u32) -> &str {
        &self.text[start as usize..end as usize]
    }
}

/// A node: a statics table and its slots.
#[derive(Debug, Clone, Copy)]
pub struct Node<'r> {
    tree: &'r Rendered,
    index: usize,
}

impl<'r> Node<'r> {
    /// The node's statics table.
    pub fn statics(&self) -> &'static Statics {
        match self.tree.entry(self.index) {
            Entry::Node { statics, .. } => statics,
            _ => unreachable!("a Node view always points at a node entry"),
        }
    }

    /// The node's slots, in template order.
    pub fn slots(&self) -> Slots<'r> {
        Slots::children(self.tree, self.index)
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        same_statics(self.statics(), other.statics()) && self.slots().eq(other.slots())
    }
}

/// The value of one slot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot<'r> {
    /// Text that is already escaped for the template's output format (`{{ expr }}`).
    Text(&'r str),
    /// A nested node with its own statics (the taken branch of an `if` or `match`).
    Node(Node<'r>),
    /// A `for` loop: items sharing one statics table.
    List(List<'r>),
}

/// The slots of a node or item, in order.
#[derive(Debug, Clone)]
pub struct Slots<'r> {
    tree: &'r Rendered,
    next: usize,
    end: usize,
}

impl<'r> Slots<'r> {
    fn children(tree: &'r Rendered, parent: usize) -> Self {
        Slots {
            tree,
            next: parent + 1,
            end: tree.entry(parent).next(parent),
        }
    }
}

impl<'r> Iterator for Slots<'r> {
    type Item = Slot<'r>;

    fn next(&mut self) -> Option<Slot<'r>> {
        if self.next >= self.end {
            return None;
        }
        let index = self.next;
        let entry = self.tree.entry(index);
        self.next = entry.next(index);
        Some(match entry {
            Entry::Text { start, end } => Slot::Text(self.tree.text_of(start, end)),
            Entry::Node { .. } => Slot::Node(Node {
                tree: self.tree,
                index,
            }),
            Entry::List { .. } => Slot::List(List {
                tree: self.tree,
                index,
            }),
            Entry::Item { .. } => unreachable!("items only appear directly under lists"),
        })
    }
}

/// The items of a `for` loop; they share one statics table.
#[derive(Debug, Clone, Copy)]
pub struct List<'r> {
    tree: &'r Rendered,
    index: usize,
}

impl<'r> List<'r> {
    /// The statics table every item shares.
    pub fn statics(&self) -> &'static Statics {
        match self.tree.entry(self.index) {
            Entry::List { statics, .. } => statics,
            _ => unreachable!("a List view always points at a list entry"),
        }
    }

    /// The slot holding each item's key: the value of a `data-key="…"` or `id="…"` attribute
    /// on the item's root element. `None` when the template gives items no key; items are then
    /// identified by position.
    pub fn key_slot(&self) -> Option<usize> {
        match self.tree.entry(self.index) {
            Entry::List { key_slot, .. } => key_slot.map(|k| k as usize),
            _ => None,
        }
    }

    /// The items, in order.
    pub fn items(&self) -> Items<'r> {
        Items {
            tree: self.tree,
            next: self.index + 1,
            end: self.tree.entry(self.index).next(self.index),
            key_slot: self.key_slot(),
        }
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.items().next().is_none()
    }
}

impl PartialEq for List<'_> {
    fn eq(&self, other: &Self) -> bool {
        same_statics(self.statics(), other.statics()) && self.items().eq(other.items())
    }
}

/// The items of a list, in order.
#[derive(Debug, Clone)]
pub struct Items<'r> {
    tree: &'r Rendered,
    next: usize,
    end: usize,
    key_slot: Option<usize>,
}

impl<'r> Iterator for Items<'r> {
    type Item = Item<'r>;

    fn next(&mut self) -> Option<Item<'r>> {
        if self.next >= self.end {
            return None;
        }
        let index = self.next;
        self.next = self.tree.entry(index).next(index);
        Some(Item {
            tree: self.tree,
            index,
            key_slot: self.key_slot,
        })
    }
}

/// One item of a [`List`]: the values of the list's slots for one loop iteration.
#[derive(Debug, Clone, Copy)]
pub struct Item<'r> {
    tree: &'r Rendered,
    index: usize,
    key_slot: Option<usize>,
}

impl<'r> Item<'r> {
    /// The item's slots, in order.
    pub fn slots(&self) -> Slots<'r> {
        Slots::children(self.tree, self.index)
    }

    /// The item's key as the template writes it (escaped text), when the list has a key slot.
    pub fn key(&self) -> Option<&'r str> {
        match self.slots().nth(self.key_slot?)? {
            Slot::Text(key) => Some(key),
            _ => None,
        }
    }
}

impl Rendered {
    /// How many leading entries two renders share exactly: same kinds, statics and ends, same
    /// text offsets, and equal text. A subtree that ends within the shared prefix is identical
    /// in both renders, at the same place.
    pub(crate) fn shared_prefix(&self, other: &Rendered) -> usize {
        const CHUNK: usize = 64;
        let (a, b) = (self.text.as_bytes(), other.text.as_bytes());
        let chunk = a
            .chunks(CHUNK)
            .zip(b.chunks(CHUNK))
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()) / CHUNK);
        // Text up to `same_text` bytes is equal in both.
        let same_text = (chunk * CHUNK) as u32;
        self.entries
            .iter()
            .zip(&other.entries)
            .take_while(|(x, y)| match (**x, **y) {
                (Entry::Text { start: s1, end: e1 }, Entry::Text { start: s2, end: e2 }) => {
                    s1 == s2 && e1 == e2 && e1 <= same_text
                }
                (
                    Entry::Node {
                        statics: t1,
                        end: e1,
                    },
                    Entry::Node {
                        statics: t2,
                        end: e2,
                    },
                ) => e1 == e2 && std::ptr::eq(t1, t2),
                (
                    Entry::List {
                        statics: t1,
                        key_slot: k1,
                        end: e1,
                    },
                    Entry::List {
                        statics: t2,
                        key_slot: k2,
                        end: e2,
                    },
                ) => e1 == e2 && k1 == k2 && std::ptr::eq(t1, t2),
                (Entry::Item { end: e1 }, Entry::Item { end: e2 }) => e1 == e2,
                _ => false,
            })
            .count()
    }
}

impl Item<'_> {
    /// Where this item's entry is in its render.
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// The index after this item's subtree.
    pub(crate) fn end(&self) -> usize {
        self.tree.entry(self.index).next(self.index)
    }

    /// Whether two items hold exactly the same slots: a flat comparison of their entries and
    /// text, much cheaper than walking the views. Used by the diff to skip unchanged items.
    pub(crate) fn same_as(&self, other: &Item<'_>) -> bool {
        same_subtree(self.tree, self.index, other.tree, other.index)
    }
}

/// Compares the subtrees at `a_index` in `a` and `b_index` in `b`: their entries must match
/// in shape, and their text — contiguous in each buffer, as slots are written in order — must
/// be equal, which one comparison of the two spans checks.
fn same_subtree(a: &Rendered, a_index: usize, b: &Rendered, b_index: usize) -> bool {
    let a_end = a.entry(a_index).next(a_index);
    let b_end = b.entry(b_index).next(b_index);
    if a_end - a_index != b_end - b_index {
        return false;
    }
    let (a_base, b_base) = (a_index as u32, b_index as u32);
    // Text offsets relative to each subtree's first text slot.
    let mut text: Option<(u32, u32, u32, u32)> = None;
    for (x, y) in a.entries[a_index..a_end]
        .iter()
        .zip(&b.entries[b_index..b_end])
    {
        let same = match (*x, *y) {
            (Entry::Text { start: s1, end: e1 }, Entry::Text { start: s2, end: e2 }) => {
                let (a0, b0, _, _) = *text.get_or_insert((s1, s2, e1, e2));
                let same = s1 - a0 == s2 - b0 && e1 - a0 == e2 - b0;
                text = Some((a0, b0, e1, e2));
                same
            }
            (
                Entry::Node {
                    statics: t1,
                    end: e1,
                },
                Entry::Node {
                    statics: t2,
                    end: e2,
                },
            ) => e1 - a_base == e2 - b_base && same_statics(t1, t2),
            (
                Entry::List {
                    statics: t1,
                    key_slot: k1,
                    end: e1,
                },
                Entry::List {
                    statics: t2,
                    key_slot: k2,
                    end: e2,
                },
            ) => e1 - a_base == e2 - b_base && k1 == k2 && same_statics(t1, t2),
            (Entry::Item { end: e1 }, Entry::Item { end: e2 }) => e1 - a_base == e2 - b_base,
            _ => false,
        };
        if !same {
            return false;
        }
    }
    match text {
        None => true,
        Some((a0, b0, a1, b1)) => a.text_of(a0, a1) == b.text_of(b0, b1),
    }
}

impl PartialEq for Item<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.slots().eq(other.slots())
    }
}

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
//! text back to back, and one flat list of 16-byte entries in document order (a text slot
//! records its length; a node, a list or an item its table, the number of entries in its
//! subtree and the length of its text). Building a tree of a thousand rows therefore costs a
//! few amortised allocations, not one per row. [`Node`], [`Slot`], [`List`] and [`Item`] are
//! cheap, copyable views into it, which track where their text starts as they walk.
//!
//! No entry records where it is, so the entries after a change that shifted the text or the
//! entries are still equal to the previous render's: the diff finds the runs of entries two
//! renders share at their start and at their end in bulk, and then needs only the text of the
//! items inside them compared, one comparison for a run of items.

mod build;
mod html;
mod keys;

// The derive's generated code builds trees with these (through `crate::__private`).
#[doc(hidden)]
pub use build::{Builder, SizeHint};
pub(crate) use keys::{ItemKey, item_keys};
pub(crate) use keys::{KeyMap, key_at, key_map};

/// A compile-time table of the literal text around a node's slots.
///
/// A table with `n + 1` parts surrounds `n` slots. The fingerprint is computed by the derive
/// macro from the parts, so two renders of the same template structure share it, and a client
/// that has seen a table once need not receive it again. A list's table also names the slot
/// holding each item's key, when its items have one.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Statics {
    parts: &'static [&'static str],
    fingerprint: u64,
    key_slot: Option<u32>,
}

impl Statics {
    /// Creates a table. Called by generated code; `parts` must be non-empty.
    #[doc(hidden)]
    pub const fn new(parts: &'static [&'static str], fingerprint: u64) -> Self {
        Statics::list(parts, fingerprint, None)
    }

    /// Creates the table of a list's items, whose key (if any) is slot `key_slot`. Called by
    /// generated code; `parts` must be non-empty.
    #[doc(hidden)]
    pub const fn list(
        parts: &'static [&'static str],
        fingerprint: u64,
        key_slot: Option<u32>,
    ) -> Self {
        assert!(!parts.is_empty(), "a statics table has at least one part");
        Statics {
            parts,
            fingerprint,
            key_slot,
        }
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

/// The kind of an entry, in the low [`KIND_BITS`] of [`Entry::shape`].
const TEXT: u32 = 0;
const NODE: u32 = 1;
const LIST: u32 = 2;
const ITEM: u32 = 3;
const KIND_BITS: u32 = 2;
const KIND_MASK: u32 = (1 << KIND_BITS) - 1;

/// One entry of the flat layout, in document order: a table reference and one integer.
///
/// Nothing in an entry depends on where it is: a text slot records its length, not its
/// offset, and a container the size of its subtree, not where it ends. Two renders that share
/// a run of entries — at their start, or at their end after a change of length earlier on —
/// therefore hold equal entries there, which [`shared_entries`] finds in bulk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
struct Entry {
    /// The statics table of a node or list; `None` for text slots and items.
    statics: Option<&'static Statics>,
    /// The low 32 bits: for text, its length in bytes; for a node, list or item, the length
    /// of all the text in its subtree (while it is being built, where that text starts).
    /// The high 32 bits: the kind in the low [`KIND_BITS`], above them the number of entries
    /// in the subtree, this one included (1 for text).
    word: u64,
}

impl Entry {
    fn new(statics: Option<&'static Statics>, len: u32, shape: u32) -> Self {
        Entry {
            statics,
            word: u64::from(len) | (u64::from(shape) << 32),
        }
    }

    /// The length of the entry's text (see [`Entry::word`]).
    fn len(self) -> u32 {
        self.word as u32
    }

    fn shape(self) -> u32 {
        (self.word >> 32) as u32
    }

    fn kind(self) -> u32 {
        self.shape() & KIND_MASK
    }

    /// The number of entries in this entry's subtree, itself included.
    fn size(self) -> usize {
        (self.shape() >> KIND_BITS) as usize
    }

    /// The index after this entry's subtree, given its own index.
    fn next(self, index: usize) -> usize {
        index + self.size()
    }

    /// The table's address, 0 for none.
    #[inline]
    fn table(self) -> u64 {
        self.statics
            .map_or(0, |s| std::ptr::from_ref(s) as usize as u64)
    }

    /// The table's address and the word as one integer: equal integers mean equal entries.
    #[inline]
    fn bits(self) -> u128 {
        u128::from(self.table()) | (u128::from(self.word) << 64)
    }

    /// Whether two entries are equal, comparing tables by content when not by address.
    fn same_as(self, other: Entry) -> bool {
        self.word == other.word
            && match (self.statics, other.statics) {
                (None, None) => true,
                (Some(a), Some(b)) => same_statics(a, b),
                _ => false,
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
            text: 0,
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

    /// The bytes this tree holds on the heap (its slot text and entry table): what keeping it
    /// costs, known without walking it.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.entries.capacity() * std::mem::size_of::<Entry>()
    }

    fn entry(&self, index: usize) -> Entry {
        self.entries[index]
    }

    /// The text of length `len` at byte `start`.
    fn text_at(&self, start: usize, len: u32) -> &str {
        &self.text[start..start + len as usize]
    }
}

/// A node: a statics table and its slots.
#[derive(Debug, Clone, Copy)]
pub struct Node<'r> {
    tree: &'r Rendered,
    index: usize,
    /// Where the node's text starts in [`Rendered::text`].
    text: usize,
}

impl<'r> Node<'r> {
    /// The node's statics table.
    pub fn statics(&self) -> &'static Statics {
        match self.tree.entry(self.index) {
            Entry {
                statics: Some(statics),
                ..
            } => statics,
            _ => unreachable!("a Node view always points at a node entry"),
        }
    }

    /// The node's slots, in template order.
    pub fn slots(&self) -> Slots<'r> {
        Slots::children(self.tree, self.index, self.text)
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
    /// Where the next slot's text starts.
    text: usize,
}

impl<'r> Slots<'r> {
    fn children(tree: &'r Rendered, parent: usize, text: usize) -> Self {
        Slots {
            tree,
            next: parent + 1,
            end: tree.entry(parent).next(parent),
            text,
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
        let text = self.text;
        self.text += entry.len() as usize;
        Some(match entry.kind() {
            TEXT => Slot::Text(self.tree.text_at(text, entry.len())),
            NODE => Slot::Node(Node {
                tree: self.tree,
                index,
                text,
            }),
            LIST => Slot::List(List {
                tree: self.tree,
                index,
                text,
            }),
            _ => unreachable!("items only appear directly under lists"),
        })
    }
}

/// The items of a `for` loop; they share one statics table.
#[derive(Debug, Clone, Copy)]
pub struct List<'r> {
    tree: &'r Rendered,
    index: usize,
    /// Where the list's text starts.
    text: usize,
}

impl<'r> List<'r> {
    /// The statics table every item shares.
    pub fn statics(&self) -> &'static Statics {
        match self.tree.entry(self.index) {
            Entry {
                statics: Some(statics),
                ..
            } => statics,
            _ => unreachable!("a List view always points at a list entry"),
        }
    }

    /// The slot holding each item's key: the value of a `data-key="…"` or `id="…"` attribute
    /// on the item's root element. `None` when the template gives items no key; items are then
    /// identified by position.
    pub fn key_slot(&self) -> Option<usize> {
        self.statics().key_slot.map(|k| k as usize)
    }

    /// The items, in order.
    pub fn items(&self) -> Items<'r> {
        Items {
            tree: self.tree,
            next: self.index + 1,
            end: self.tree.entry(self.index).next(self.index),
            text: self.text,
            text_end: self.text_range().end,
            key_slot: self.key_slot(),
        }
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.items().next().is_none()
    }

    /// The byte range of the list's text in its render.
    pub(crate) fn text_range(&self) -> std::ops::Range<usize> {
        self.text..self.text + self.tree.entry(self.index).len() as usize
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
    /// Where the next item's text starts.
    text: usize,
    /// Where the list's text ends.
    text_end: usize,
    key_slot: Option<usize>,
}

impl<'r> Iterator for Items<'r> {
    type Item = Item<'r>;

    fn next(&mut self) -> Option<Item<'r>> {
        if self.next >= self.end {
            return None;
        }
        let index = self.next;
        let entry = self.tree.entry(index);
        self.next = entry.next(index);
        let text = self.text;
        self.text += entry.len() as usize;
        Some(Item {
            tree: self.tree,
            index,
            text,
            key_slot: self.key_slot,
        })
    }
}

/// One item of a [`List`]: the values of the list's slots for one loop iteration.
#[derive(Debug, Clone, Copy)]
pub struct Item<'r> {
    tree: &'r Rendered,
    index: usize,
    /// Where the item's text starts.
    text: usize,
    key_slot: Option<usize>,
}

impl<'r> Item<'r> {
    /// The item's slots, in order.
    pub fn slots(&self) -> Slots<'r> {
        Slots::children(self.tree, self.index, self.text)
    }

    /// The item's key as the template writes it (escaped text), when the list has a key slot.
    pub fn key(&self) -> Option<&'r str> {
        let range = key_range(self.tree, self.index, self.text, self.key_slot?)?;
        Some(&self.tree.text[range])
    }
}

/// Where the key of the item at entry `index` (its text starting at `text`) is in the text
/// buffer: the range of its slot `slot`, when that is a text slot.
#[inline]
fn key_range(
    tree: &Rendered,
    index: usize,
    text: usize,
    slot: usize,
) -> Option<std::ops::Range<usize>> {
    let end = tree.entries.get(index)?.next(index);
    let (mut index, mut text) = (index + 1, text);
    for _ in 0..slot {
        let entry = *tree.entries.get(index).filter(|_| index < end)?;
        text += entry.len() as usize;
        index = entry.next(index);
    }
    let entry = *tree.entries.get(index).filter(|_| index < end)?;
    (entry.kind() == TEXT).then_some(text..text + entry.len() as usize)
}

impl List<'_> {
    /// How many items before `item` (one of this list's) have the key `key`.
    pub(crate) fn count_key_before(&self, item: Item<'_>, key: &str) -> usize {
        let Some(slot) = self.key_slot() else {
            return 0;
        };
        if key.is_empty() {
            return 0;
        }
        let (entries, text, key) = (
            &self.tree.entries,
            self.tree.text.as_bytes(),
            key.as_bytes(),
        );
        let first = key[0];
        let (mut index, mut start, mut count) = (self.index + 1, self.text, 0);
        while index < item.index {
            let entry = entries[index];
            let end = entry.next(index);
            // The key slot, `slot` slots into the item (as `key_range` finds it, written out:
            // this loop runs once per item before a changed one, and the cheap checks — kind,
            // length, first byte — reject most keys before any slice compare).
            let (mut at, mut key_start) = (index + 1, start);
            for _ in 0..slot {
                let Some(e) = entries.get(at).filter(|_| at < end) else {
                    break;
                };
                key_start += e.len() as usize;
                at = e.next(at);
            }
            if let Some(e) = entries.get(at).filter(|_| at < end)
                && e.kind() == TEXT
                && e.len() as usize == key.len()
                && text[key_start] == first
                && text[key_start..key_start + key.len()] == *key
            {
                count += 1;
            }
            start += entry.len() as usize;
            index = end;
        }
        count
    }
}

/// The runs of entries two renders share: `prefix` entries at their start (at the same
/// indices) and `suffix` entries at their end (at the same distance from it). Entries compare
/// shapes, lengths and tables, not text; see [`SameText`] for that.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shared {
    prefix: usize,
    suffix: usize,
    old_len: usize,
    new_len: usize,
}

/// Finds the entries two renders share at their start and at their end, comparing entries as
/// plain integers several at a time.
pub(crate) fn shared_entries(old: &Rendered, new: &Rendered) -> Shared {
    let (a, b) = (&old.entries[..], &new.entries[..]);
    let prefix = common_prefix(a, b);
    let suffix = common_suffix(&a[prefix..], &b[prefix..]);
    Shared {
        prefix,
        suffix,
        old_len: a.len(),
        new_len: b.len(),
    }
}

/// How many leading entries `a` and `b` share.
fn common_prefix(a: &[Entry], b: &[Entry]) -> usize {
    const CHUNK: usize = 8;
    let mut same = 0;
    for (x, y) in a.chunks_exact(CHUNK).zip(b.chunks_exact(CHUNK)) {
        if differ(x, y) {
            break;
        }
        same += CHUNK;
    }
    same + a[same..]
        .iter()
        .zip(&b[same..])
        .take_while(|(x, y)| x.bits() == y.bits())
        .count()
}

/// How many trailing entries `a` and `b` share.
fn common_suffix(a: &[Entry], b: &[Entry]) -> usize {
    const CHUNK: usize = 8;
    let mut same = 0;
    for (x, y) in a.rchunks_exact(CHUNK).zip(b.rchunks_exact(CHUNK)) {
        if differ(x, y) {
            break;
        }
        same += CHUNK;
    }
    let (a, b) = (&a[..a.len() - same], &b[..b.len() - same]);
    same + a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x.bits() == y.bits())
        .count()
}

/// Whether two runs of entries differ anywhere. Each entry is read as one 128-bit integer and
/// there is no early exit, so that the loop compiles to vector compares.
#[inline]
fn differ(x: &[Entry], y: &[Entry]) -> bool {
    let mut bits = 0u128;
    for (p, q) in x.iter().zip(y) {
        bits |= p.bits() ^ q.bits();
    }
    bits != 0
}

/// How many leading bytes `a` and `b` share, compared 64 at a time.
pub(crate) fn common_text(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let (x, _) = a.as_chunks::<CHUNK>();
    let (y, _) = b.as_chunks::<CHUNK>();
    let chunks = x
        .iter()
        .zip(y)
        .take_while(|(p, q)| p.iter().zip(q.iter()).fold(0, |acc, (c, d)| acc | (c ^ d)) == 0)
        .count();
    let same = chunks * CHUNK;
    same + a[same..]
        .iter()
        .zip(&b[same..])
        .take_while(|(p, q)| p == q)
        .count()
}

impl Shared {
    /// Advances both iterators past their leading items that lie in the shared prefix with
    /// equal text (one comparison for all of them); returns how many it skipped.
    pub(crate) fn skip_prefix(&self, old: &mut Items<'_>, new: &mut Items<'_>) -> usize {
        if old.next != new.next || old.text != new.text {
            return 0;
        }
        let limit = old.end.min(new.end).min(self.prefix);
        let entries = &old.tree.entries;
        // The items that end within the prefix and whose text ends by `text_limit`.
        let walk = |text_limit: usize| {
            let (mut index, mut text, mut count) = (old.next, old.text, 0);
            while index < limit {
                let entry = entries[index];
                let (next, text_next) = (entry.next(index), text + entry.len() as usize);
                if next > limit || text_next > text_limit {
                    break;
                }
                (index, text, count) = (next, text_next, count + 1);
            }
            (index, text, count)
        };
        let (mut index, mut text, mut count) = walk(usize::MAX);
        let same = common_text(
            &old.tree.text.as_bytes()[old.text..text],
            &new.tree.text.as_bytes()[new.text..text],
        );
        if old.text + same < text {
            (index, text, count) = walk(old.text + same);
        }
        (old.next, old.text) = (index, text);
        (new.next, new.text) = (index, text);
        count
    }

    /// Whether the items both iterators have left are identical: they lie in the shared
    /// suffix, as many entries from the end in both, and their text is equal.
    pub(crate) fn rest_same(&self, old: &Items<'_>, new: &Items<'_>) -> bool {
        let rest = self.old_len - old.next;
        rest == self.new_len - new.next
            && rest <= self.suffix
            && old.end - old.next == new.end - new.next
            && old.tree.text.as_bytes()[old.text..old.text_end]
                == new.tree.text.as_bytes()[new.text..new.text_end]
    }

    /// Whether the items left in `old` lie in the shared suffix.
    pub(crate) fn in_suffix(&self, old: &Items<'_>) -> bool {
        self.old_len - old.next <= self.suffix
    }

    /// Whether items `old` and `new` have the same entries because both lie in a shared run
    /// at the same place. Their text may still differ.
    pub(crate) fn same_shape(&self, old: &Item<'_>, new: &Item<'_>) -> bool {
        (old.index == new.index && old.end() <= self.prefix)
            || (self.old_len - old.index == self.new_len - new.index
                && self.old_len - old.index <= self.suffix)
    }
}

/// Remembers a run of text two renders share, to tell many items' text equal with one
/// comparison: `len` bytes from `old` in the old render equal those from `new` in the new.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SameText {
    old: usize,
    new: usize,
    len: usize,
}

impl SameText {
    /// Whether two items with the same entries have the same text, i.e. are identical.
    /// Compares from the items' start to the end of their lists (`old_end`, `new_end`) when the
    /// run known so far does not cover them; later items are then usually covered too.
    pub(crate) fn same(
        &mut self,
        old: &Item<'_>,
        new: &Item<'_>,
        old_end: usize,
        new_end: usize,
    ) -> bool {
        let len = old.tree.entry(old.index).len() as usize;
        if !self.covers(old.text, new.text, len) {
            let same = common_text(
                &old.tree.text.as_bytes()[old.text..old_end],
                &new.tree.text.as_bytes()[new.text..new_end],
            );
            *self = SameText {
                old: old.text,
                new: new.text,
                len: same,
            };
        }
        self.covers(old.text, new.text, len)
    }

    fn covers(&self, old: usize, new: usize, len: usize) -> bool {
        old >= self.old
            && old - self.old == new.wrapping_sub(self.new)
            && old + len <= self.old + self.len
    }
}

impl Item<'_> {
    /// The index after this item's subtree.
    pub(crate) fn end(&self) -> usize {
        self.tree.entry(self.index).next(self.index)
    }

    /// Whether two items hold exactly the same slots: a flat comparison of their entries and
    /// text, much cheaper than walking the views. Used by the diff to skip unchanged items.
    pub(crate) fn same_as(&self, other: &Item<'_>) -> bool {
        let (a, b) = (self.tree, other.tree);
        let (x, y) = (a.entry(self.index), b.entry(other.index));
        if !x.same_as(y) {
            return false;
        }
        let (a_entries, b_entries) = (
            &a.entries[self.index + 1..x.next(self.index)],
            &b.entries[other.index + 1..y.next(other.index)],
        );
        a_entries.iter().zip(b_entries).all(|(p, q)| p.same_as(*q))
            && a.text_at(self.text, x.len()) == b.text_at(other.text, y.len())
    }
}

impl PartialEq for Item<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.slots().eq(other.slots())
    }
}

//! Building a [`Rendered`](super::Rendered) in one pass: the code `#[derive(LiveTemplate)]`
//! generates calls these methods in document order.

use super::{Entry, ITEM, KIND_BITS, LIST, NODE, Rendered, Statics, TEXT};

/// Accumulates one render. Not public API: generated code drives it.
///
/// Containers (nodes, lists, items) are opened, filled, then closed with the index `open_*`
/// returned; text slots are written straight into the shared text buffer between
/// [`Builder::text_start`] and [`Builder::text_end`].
#[doc(hidden)]
#[derive(Debug)]
pub struct Builder {
    text: String,
    entries: Vec<Entry>,
}

impl Builder {
    /// A builder with room for `text` bytes of slot text and `entries` slots.
    #[inline]
    pub fn with_capacity(text: usize, entries: usize) -> Self {
        Builder {
            text: String::with_capacity(text),
            entries: Vec::with_capacity(entries),
        }
    }

    /// Opens a node; close it with [`Builder::close`].
    #[inline]
    pub fn open_node(&mut self, statics: &'static Statics) -> usize {
        self.open(Some(statics), NODE)
    }

    /// Opens a list (its table names the items' key slot); its items follow.
    #[inline]
    pub fn open_list(&mut self, statics: &'static Statics) -> usize {
        self.open(Some(statics), LIST)
    }

    /// Opens a list item.
    #[inline]
    pub fn open_item(&mut self) -> usize {
        self.open(None, ITEM)
    }

    /// Closes the container opened at `index`: everything pushed since belongs to it.
    #[inline]
    pub fn close(&mut self, index: usize) {
        let size = to_u32(self.entries.len() - index);
        let text = to_u32(self.text.len());
        let entry = &mut self.entries[index];
        // While open, the length held where the container's text starts.
        *entry = Entry::new(
            entry.statics,
            text - entry.len(),
            (size << KIND_BITS) | entry.kind(),
        );
    }

    /// Whether the list opened at `index` has no items so far.
    #[inline]
    pub fn is_empty_since(&self, index: usize) -> bool {
        self.entries.len() == index + 1
    }

    /// Removes the container opened at `index`, which must still be open, and everything
    /// pushed since (entries and text), to replace it.
    #[inline]
    pub fn truncate(&mut self, index: usize) {
        if let Some(entry) = self.entries.get(index) {
            self.text.truncate(entry.len() as usize);
        }
        self.entries.truncate(index);
    }

    /// Where the next text slot starts.
    #[inline]
    pub fn text_start(&self) -> usize {
        self.text.len()
    }

    /// The buffer text slots are written into.
    #[inline]
    pub fn text(&mut self) -> &mut String {
        &mut self.text
    }

    /// Ends the text slot that started at `start`.
    #[inline]
    pub fn text_end(&mut self, start: usize) {
        let len = to_u32(self.text.len() - start);
        self.entries
            .push(Entry::new(None, len, (1 << KIND_BITS) | TEXT));
    }

    /// The finished tree. The root node must have been opened first and closed.
    #[inline]
    pub fn finish(self) -> Rendered {
        Rendered {
            text: self.text,
            entries: self.entries,
        }
    }

    #[inline]
    fn open(&mut self, statics: Option<&'static Statics>, kind: u32) -> usize {
        let index = self.entries.len();
        self.entries
            .push(Entry::new(statics, to_u32(self.text.len()), kind));
        index
    }
}

/// Offsets are stored as `u32` to keep entries small; a render over 4 GiB is not a web page.
#[inline]
fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// Remembers how large a template's last render was, so the next one allocates once.
///
/// One per template, in a `static` the generated code declares. Racing renders may record
/// each other's sizes; that only changes a capacity, never the output.
#[doc(hidden)]
#[derive(Debug)]
pub struct SizeHint {
    text: std::sync::atomic::AtomicU32,
    entries: std::sync::atomic::AtomicU32,
}

impl SizeHint {
    /// No render seen yet.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        SizeHint {
            text: std::sync::atomic::AtomicU32::new(0),
            entries: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// A builder sized for a render like the last one.
    #[inline]
    pub fn builder(&self) -> Builder {
        use std::sync::atomic::Ordering::Relaxed;
        let text = self.text.load(Relaxed) as usize;
        let entries = self.entries.load(Relaxed) as usize;
        // A little headroom for a page that grows by a few rows.
        Builder::with_capacity(text + text / 8 + 64, entries + entries / 8 + 8)
    }

    /// Records the size of a finished render.
    #[inline]
    pub fn record(&self, rendered: &Rendered) {
        use std::sync::atomic::Ordering::Relaxed;
        self.text.store(to_u32(rendered.text.len()), Relaxed);
        self.entries.store(to_u32(rendered.entries.len()), Relaxed);
    }
}

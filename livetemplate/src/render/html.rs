//! Writes a rendered tree as HTML: statics and slot values interleaved.
//!
//! Walks the flat entry list directly, in one pass, rather than through the views. Text slots
//! are stored in document order, so one cursor into the text buffer follows the walk.

use super::{Entry, ITEM, LIST, NODE, Rendered, TEXT};

pub(super) fn write_tree(tree: &Rendered, out: &mut String) {
    if !tree.entries.is_empty() {
        let mut cursor = Cursor { tree, text: 0 };
        cursor.write_entry(0, out);
    }
}

struct Cursor<'r> {
    tree: &'r Rendered,
    /// Where the next text slot starts.
    text: usize,
}

impl Cursor<'_> {
    /// Writes the entry at `index` (a node, list or text) and returns the index after it.
    fn write_entry(&mut self, index: usize, out: &mut String) -> usize {
        let entry = self.tree.entries[index];
        let end = entry.next(index);
        let text = self.text;
        match (entry.kind(), entry.statics) {
            (TEXT, _) => {
                out.push_str(self.tree.text_at(text, entry.len()));
            }
            (NODE, Some(statics)) => {
                self.write_slots(statics.parts(), index + 1, end, out);
            }
            (LIST, Some(statics)) => {
                let mut item = index + 1;
                while item < end {
                    let item_entry: Entry = self.tree.entries[item];
                    if item_entry.kind() != ITEM {
                        break;
                    }
                    let item_end = item_entry.next(item);
                    self.write_slots(statics.parts(), item + 1, item_end, out);
                    item = item_end;
                }
            }
            _ => {}
        }
        // The entry's text is behind us, whatever its slots were.
        self.text = text + entry.len() as usize;
        end
    }

    /// Writes `parts` interleaved with the slots stored at `first..end`.
    fn write_slots(&mut self, parts: &[&str], first: usize, end: usize, out: &mut String) {
        out.push_str(parts[0]);
        let mut next = first;
        for part in &parts[1..] {
            if next < end {
                next = self.write_entry(next, out);
            }
            out.push_str(part);
        }
    }
}

/// The exact length of the HTML the tree renders to.
pub(super) fn size(tree: &Rendered) -> usize {
    if tree.entries.is_empty() {
        return 0;
    }
    size_of_entry(tree, 0).0
}

fn size_of_entry(tree: &Rendered, index: usize) -> (usize, usize) {
    let entry = tree.entries[index];
    let end = entry.next(index);
    match (entry.kind(), entry.statics) {
        (TEXT, _) => (entry.len() as usize, end),
        (NODE, Some(statics)) => (size_of_slots(tree, statics.parts(), index + 1, end), end),
        (LIST, Some(statics)) => {
            let mut total = 0;
            let mut item = index + 1;
            while item < end {
                let item_entry = tree.entries[item];
                if item_entry.kind() != ITEM {
                    break;
                }
                let item_end = item_entry.next(item);
                total += size_of_slots(tree, statics.parts(), item + 1, item_end);
                item = item_end;
            }
            (total, end)
        }
        _ => (0, end),
    }
}

fn size_of_slots(tree: &Rendered, parts: &[&str], first: usize, end: usize) -> usize {
    let mut total: usize = parts.iter().map(|p| p.len()).sum();
    let mut next = first;
    while next < end {
        let (size, after) = size_of_entry(tree, next);
        total += size;
        next = after;
    }
    total
}

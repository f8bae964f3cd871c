//! Writes a rendered tree as HTML: statics and slot values interleaved.
//!
//! Walks the flat entry list directly, in one pass, rather than through the views.

use super::{Entry, Rendered};

pub(super) fn write_tree(tree: &Rendered, out: &mut String) {
    if !tree.entries.is_empty() {
        write_entry(tree, 0, out);
    }
}

/// Writes the entry at `index` (a node, list or text) and returns the index after it.
fn write_entry(tree: &Rendered, index: usize, out: &mut String) -> usize {
    match tree.entries[index] {
        Entry::Text { start, end } => {
            out.push_str(&tree.text[start as usize..end as usize]);
            index + 1
        }
        Entry::Node { statics, end } => {
            write_slots(tree, statics.parts(), index + 1, end as usize, out);
            end as usize
        }
        Entry::List { statics, end, .. } => {
            let mut item = index + 1;
            while item < end as usize {
                let Entry::Item { end: item_end } = tree.entries[item] else {
                    break;
                };
                write_slots(tree, statics.parts(), item + 1, item_end as usize, out);
                item = item_end as usize;
            }
            end as usize
        }
        Entry::Item { end } => end as usize,
    }
}

/// Writes `parts` interleaved with the slots stored at `first..end`.
fn write_slots(tree: &Rendered, parts: &[&str], first: usize, end: usize, out: &mut String) {
    out.push_str(parts[0]);
    let mut next = first;
    for part in &parts[1..] {
        if next < end {
            next = write_entry(tree, next, out);
        }
        out.push_str(part);
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
    match tree.entries[index] {
        Entry::Text { start, end } => ((end - start) as usize, index + 1),
        Entry::Node { statics, end } => (
            size_of_slots(tree, statics.parts(), index + 1, end as usize),
            end as usize,
        ),
        Entry::List { statics, end, .. } => {
            let mut total = 0;
            let mut item = index + 1;
            while item < end as usize {
                let Entry::Item { end: item_end } = tree.entries[item] else {
                    break;
                };
                total += size_of_slots(tree, statics.parts(), item + 1, item_end as usize);
                item = item_end as usize;
            }
            (total, end as usize)
        }
        Entry::Item { end } => (0, end as usize),
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

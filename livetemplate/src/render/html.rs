//! Writes a rendered tree as HTML: statics and slot values interleaved.
//!
//! Walks the flat entry list directly, in one pass, rather than through the views, keeping
//! track of where each entry's text starts (entries store lengths, not offsets).

use super::{Entry, ITEM, LIST, NODE, Rendered, TEXT};

pub(super) fn write_tree(tree: &Rendered, out: &mut String) {
    if !tree.entries.is_empty() {
        write_entry(tree, 0, 0, out);
    }
}

/// Writes the entry at `index` (a node, list or text) whose text starts at byte `text`, and
/// returns the index after it.
fn write_entry(tree: &Rendered, index: usize, text: usize, out: &mut String) -> usize {
    let entry = tree.entries[index];
    let end = entry.next(index);
    match (entry.kind(), entry.statics) {
        (TEXT, _) => out.push_str(tree.text_at(text, entry.len())),
        (NODE, Some(statics)) => write_slots(tree, statics.parts(), index + 1, end, text, out),
        (LIST, Some(statics)) => {
            let (mut item, mut text) = (index + 1, text);
            while item < end {
                let item_entry: Entry = tree.entries[item];
                if item_entry.kind() != ITEM {
                    break;
                }
                let item_end = item_entry.next(item);
                write_slots(tree, statics.parts(), item + 1, item_end, text, out);
                text += item_entry.len() as usize;
                item = item_end;
            }
        }
        _ => {}
    }
    end
}

/// Writes `parts` interleaved with the slots stored at `first..end`, whose text starts at
/// byte `text`. Text slots, the most common, are written here without a call.
fn write_slots(
    tree: &Rendered,
    parts: &[&str],
    first: usize,
    end: usize,
    text: usize,
    out: &mut String,
) {
    out.push_str(parts[0]);
    let (mut next, mut text) = (first, text);
    for part in &parts[1..] {
        if next < end {
            let entry = tree.entries[next];
            if entry.kind() == TEXT {
                out.push_str(tree.text_at(text, entry.len()));
                next += 1;
            } else {
                next = write_entry(tree, next, text, out);
            }
            text += entry.len() as usize;
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

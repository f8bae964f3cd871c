//! List diff: item keys → remove, update, insert/append/prepend and reorder operations.
//!
//! Items that stay in their relative order (the longest increasing run of their old positions)
//! are updated in place. An item that moved is either re-sent at its new place (remove, then
//! insert) or, when many moved, covered by one reorder naming every key; whichever is smaller.

use super::{Changes, Key, diff_item};
use crate::render::{Item, ItemKey, KeyMap, List, SameText, Shared, item_keys, key_at, key_map};

/// One operation on a list the client holds, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ListOp<'r> {
    /// `["r", key]`: drop the item.
    Remove(Key<'r>),
    /// `["u", key, changes]`: merge changed slots into the item.
    Update(Key<'r>, Changes<'r>),
    /// `["i", after, item]`: insert one item after the item keyed `after`.
    Insert {
        /// The key of the item it follows.
        after: Key<'r>,
        /// The new item, with its key.
        item: (Item<'r>, ItemKey<'r>),
    },
    /// `["a", [items]]`: add items at the end.
    Append(Vec<(Item<'r>, ItemKey<'r>)>),
    /// `["p", [items]]`: add items at the start.
    Prepend(Vec<(Item<'r>, ItemKey<'r>)>),
    /// `["o", [keys]]`: put the items in this order.
    Reorder(Vec<Key<'r>>),
}

pub(super) fn diff_list<'r>(old: List<'r>, new: List<'r>, shared: Shared) -> Vec<ListOp<'r>> {
    if let Some(ops) = lockstep(old, new, shared) {
        // The common case (an edit, a toggle): every item kept its place.
        return ops;
    }
    let old_items: Vec<Item<'r>> = old.items().collect();
    let new_items: Vec<Item<'r>> = new.items().collect();
    if old.key_slot().is_none() {
        return diff_by_position(&old_items, &new_items, new, shared);
    }
    let old_keys = item_keys(old);
    let new_keys = item_keys(new);
    // Items before the first and after the last difference in keys keep their places.
    let common = old_keys.len().min(new_keys.len());
    let prefix = (0..common)
        .take_while(|&i| old_keys[i] == new_keys[i])
        .count();
    let suffix = (0..common - prefix)
        .take_while(|&i| old_keys[old_keys.len() - 1 - i] == new_keys[new_keys.len() - 1 - i])
        .count();
    let old_window = prefix..old_keys.len() - suffix;
    let new_window = prefix..new_keys.len() - suffix;

    let old_index: KeyMap<&str, usize> = index_of(&old_keys, old_window.clone());
    let new_set: KeyMap<&str, usize> = index_of(&new_keys, new_window.clone());

    let mut ops = Vec::new();
    for key in &old_keys[old_window.clone()] {
        if !new_set.contains_key(key.key.as_ref()) {
            ops.push(ListOp::Remove(key.key.clone()));
        }
    }

    // Surviving items of the window in new order, with their old positions.
    let survivors: Vec<(usize, usize)> = new_window
        .clone()
        .filter_map(|j| old_index.get(new_keys[j].key.as_ref()).map(|&i| (j, i)))
        .collect();
    let stable = longest_increasing(&survivors.iter().map(|&(_, i)| i).collect::<Vec<_>>());
    let mut in_place = vec![false; new_items.len()];
    for j in (0..prefix).chain(new_window.end..new_items.len()) {
        in_place[j] = true;
    }
    for &s in &stable {
        in_place[survivors[s].0] = true;
    }
    let moved: Vec<usize> = survivors
        .iter()
        .map(|&(j, _)| j)
        .filter(|&j| !in_place[j])
        .collect();

    let reorder = !moved.is_empty() && {
        let resend: usize = moved.iter().map(|&j| item_size(new_items[j])).sum();
        let order: usize = new_keys.iter().map(|k| k.key.len() + 3).sum();
        order < resend
    };

    // Removes of moved items (re-sent at their new place) go with the other removes.
    if !reorder {
        for &j in &moved {
            ops.push(ListOp::Remove(new_keys[j].key.clone()));
        }
    }
    // Updates: the unchanged prefix and suffix, then the window's survivors that stay (all
    // of them when reordering).
    let mut update = |old: Item<'r>, new: Item<'r>, key: &ItemKey<'r>| {
        if !old.same_as(&new) {
            let changes = diff_item(old, new, shared);
            if !changes.is_empty() {
                ops.push(ListOp::Update(key.key.clone(), changes));
            }
        }
    };
    for i in 0..prefix {
        update(old_items[i], new_items[i], &new_keys[i]);
    }
    for &(j, i) in &survivors {
        if reorder || in_place[j] {
            update(old_items[i], new_items[j], &new_keys[j]);
        }
    }
    for i in 0..suffix {
        let (o, n) = (old_items.len() - suffix + i, new_items.len() - suffix + i);
        update(old_items[o], new_items[n], &new_keys[n]);
    }

    let placed: Vec<bool> = (0..new_items.len())
        .map(|j| in_place[j] || (reorder && old_index.contains_key(new_keys[j].key.as_ref())))
        .collect();
    inserts(&new_items, &new_keys, &placed, &mut ops);

    if reorder {
        ops.push(ListOp::Reorder(
            new_keys.iter().map(|k| k.key.clone()).collect(),
        ));
    }
    ops
}

/// When both lists have the same items in the same places (same count, each pair identical
/// or with the same key), an update for each changed item; `None` otherwise. Unchanged items
/// never need their key: the items in the entries the renders share at their start, and those
/// in the entries they share at their end, are each checked with one comparison of their text;
/// other items in a shared run need their text compared, others a flat comparison.
fn lockstep<'r>(old: List<'r>, new: List<'r>, shared: Shared) -> Option<Vec<ListOp<'r>>> {
    let keyed = new.key_slot().is_some();
    let (old_end, new_end) = (old.text_range().end, new.text_range().end);
    let mut text = SameText::default();
    let mut changed = Vec::new();
    let (mut old_items, mut new_items) = (old.items(), new.items());
    let mut position = shared.skip_prefix(&mut old_items, &mut new_items);
    // Checked once, at the first item in the shared suffix.
    let mut suffix_checked = false;
    loop {
        if !suffix_checked && shared.in_suffix(&old_items) {
            suffix_checked = true;
            if shared.rest_same(&old_items, &new_items) {
                break;
            }
        }
        match (old_items.next(), new_items.next()) {
            (None, None) => break,
            (Some(o), Some(n)) => {
                let same = if shared.same_shape(&o, &n) {
                    text.same(&o, &n, old_end, new_end)
                } else {
                    o.same_as(&n)
                };
                if !same {
                    if keyed && o.key() != n.key() {
                        return None;
                    }
                    changed.push((o, n, position));
                }
                position += 1;
            }
            _ => return None,
        }
    }
    if changed.is_empty() {
        return Some(Vec::new());
    }
    let mut ops = Vec::with_capacity(changed.len());
    for (old, item, position) in changed {
        let changes = diff_item(old, item, shared);
        if changes.is_empty() {
            continue;
        }
        let key = if keyed {
            key_at(new, item, position).key
        } else {
            Key::Owned(position.to_string())
        };
        ops.push(ListOp::Update(key, changes));
    }
    Some(ops)
}

/// Positions of the keys in `window`, by key.
fn index_of<'a>(keys: &'a [ItemKey<'_>], window: std::ops::Range<usize>) -> KeyMap<&'a str, usize> {
    let mut map = key_map(window.len());
    for i in window {
        map.insert(keys[i].key.as_ref(), i);
    }
    map
}

/// Items of a list without keys are matched by position.
fn diff_by_position<'r>(
    old: &[Item<'r>],
    new: &[Item<'r>],
    list: List<'r>,
    shared: Shared,
) -> Vec<ListOp<'r>> {
    let mut ops = Vec::new();
    for position in new.len()..old.len() {
        ops.push(ListOp::Remove(Key::Owned(position.to_string())));
    }
    for (position, (old, new)) in old.iter().zip(new).enumerate() {
        if old.same_as(new) {
            continue;
        }
        let changes = diff_item(*old, *new, shared);
        if !changes.is_empty() {
            ops.push(ListOp::Update(Key::Owned(position.to_string()), changes));
        }
    }
    if new.len() > old.len() {
        let added = new[old.len()..]
            .iter()
            .copied()
            .zip(item_keys(list).into_iter().skip(old.len()))
            .collect();
        ops.push(ListOp::Append(added));
    }
    ops
}

/// Places every item not already `placed`: runs at the start are prepended, runs at the end
/// appended, others inserted after their predecessor.
fn inserts<'r>(
    items: &[Item<'r>],
    keys: &[ItemKey<'r>],
    placed: &[bool],
    ops: &mut Vec<ListOp<'r>>,
) {
    let n = items.len();
    let mut j = 0;
    while j < n {
        if placed[j] {
            j += 1;
            continue;
        }
        let start = j;
        while j < n && !placed[j] {
            j += 1;
        }
        let run: Vec<_> = (start..j).map(|k| (items[k], keys[k].clone())).collect();
        if j == n && (start > 0 || placed.iter().all(|p| !p)) {
            ops.push(ListOp::Append(run));
        } else if start == 0 {
            ops.push(ListOp::Prepend(run));
        } else {
            let mut after = keys[start - 1].key.clone();
            for (item, key) in run {
                let next = key.key.clone();
                ops.push(ListOp::Insert {
                    after,
                    item: (item, key),
                });
                after = next;
            }
        }
    }
}

/// A rough size of an item's content, to weigh re-sending it against a reorder.
fn item_size(item: Item<'_>) -> usize {
    use crate::render::Slot;
    item.slots()
        .map(|slot| match slot {
            Slot::Text(text) => text.len() + 6,
            Slot::Node(_) | Slot::List(_) => 32,
        })
        .sum()
}

/// Indices (into `values`) of one longest strictly increasing subsequence.
fn longest_increasing(values: &[usize]) -> Vec<usize> {
    // tails[k]: index of the smallest tail of an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &value) in values.iter().enumerate() {
        let position = tails.partition_point(|&t| values[t] < value);
        if position > 0 {
            previous[i] = Some(tails[position - 1]);
        }
        if position == tails.len() {
            tails.push(i);
        } else {
            tails[position] = i;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut cursor = tails.last().copied();
    while let Some(i) = cursor {
        run.push(i);
        cursor = previous[i];
    }
    run.reverse();
    run
}

#[cfg(test)]
mod tests {
    use super::longest_increasing;

    #[test]
    fn longest_increasing_run() {
        assert_eq!(longest_increasing(&[]), Vec::<usize>::new());
        assert_eq!(longest_increasing(&[0, 1, 2]), vec![0, 1, 2]);
        // One item moved to the front: the rest stay.
        assert_eq!(longest_increasing(&[3, 0, 1, 2]), vec![1, 2, 3]);
        assert_eq!(longest_increasing(&[2, 1, 0]).len(), 1);
    }
}

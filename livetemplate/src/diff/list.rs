//! List diff: item keys → remove, update, insert/append/prepend and reorder operations.
//!
//! Items that stay in their relative order (the longest increasing run of their old positions)
//! are updated in place. An item that moved is either re-sent at its new place (remove, then
//! insert) or, when many moved, covered by one reorder naming every key; whichever is smaller.

use std::collections::HashMap;

use super::{Changes, Key, diff_item};
use crate::render::{Item, ItemKey, List, item_keys};

/// One operation on a list the client holds, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub enum ListOp<'r> {
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

pub(super) fn diff_list<'r>(old: List<'r>, new: List<'r>) -> Vec<ListOp<'r>> {
    let old_items: Vec<Item<'r>> = old.items().collect();
    let new_items: Vec<Item<'r>> = new.items().collect();
    let old_keys = item_keys(old);
    let new_keys = item_keys(new);
    if old.key_slot().is_none() {
        return diff_by_position(&old_items, &new_items, new_keys);
    }

    let old_index: HashMap<&str, usize> = old_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.key.as_ref(), i))
        .collect();
    let new_set: HashMap<&str, usize> = new_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.key.as_ref(), i))
        .collect();

    let mut ops = Vec::new();
    for key in &old_keys {
        if !new_set.contains_key(key.key.as_ref()) {
            ops.push(ListOp::Remove(key.key.clone()));
        }
    }

    // Surviving items in new order, with their old positions.
    let survivors: Vec<(usize, usize)> = new_keys
        .iter()
        .enumerate()
        .filter_map(|(j, k)| old_index.get(k.key.as_ref()).map(|&i| (j, i)))
        .collect();
    let stable = longest_increasing(&survivors.iter().map(|&(_, i)| i).collect::<Vec<_>>());
    let mut in_place = vec![false; new_items.len()];
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

    // Updates: every survivor when reordering, else those that stay in place.
    for &(j, i) in &survivors {
        if reorder || in_place[j] {
            let changes = diff_item(old_items[i], new_items[j]);
            if !changes.is_empty() {
                ops.push(ListOp::Update(new_keys[j].key.clone(), changes));
            }
        } else {
            // Re-sent at its new place.
            ops.push(ListOp::Remove(new_keys[j].key.clone()));
        }
    }
    // A removal of a moved item must come before updates and inserts: keep the protocol's
    // order (removes, updates, inserts, reorder).
    ops.sort_by_key(|op| match op {
        ListOp::Remove(_) => 0,
        _ => 1,
    });

    let placed: Vec<bool> = (0..new_items.len())
        .map(|j| {
            if reorder {
                old_index.contains_key(new_keys[j].key.as_ref())
            } else {
                in_place[j]
            }
        })
        .collect();
    inserts(&new_items, &new_keys, &placed, &mut ops);

    if reorder {
        ops.push(ListOp::Reorder(
            new_keys.iter().map(|k| k.key.clone()).collect(),
        ));
    }
    ops
}

/// Items of a list without keys are matched by position.
fn diff_by_position<'r>(
    old: &[Item<'r>],
    new: &[Item<'r>],
    new_keys: Vec<ItemKey<'r>>,
) -> Vec<ListOp<'r>> {
    let mut ops = Vec::new();
    for position in new.len()..old.len() {
        ops.push(ListOp::Remove(Key::Owned(position.to_string())));
    }
    for (position, (old, new)) in old.iter().zip(new).enumerate() {
        let changes = diff_item(*old, *new);
        if !changes.is_empty() {
            ops.push(ListOp::Update(Key::Owned(position.to_string()), changes));
        }
    }
    if new.len() > old.len() {
        let added = new[old.len()..]
            .iter()
            .copied()
            .zip(new_keys.into_iter().skip(old.len()))
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

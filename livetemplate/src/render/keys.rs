//! Item identity: the key each list item is addressed by in list operations.
//!
//! A keyed list (one whose items carry `data-key="…"` or `id="…"`) uses the key slot's text.
//! Items whose key is empty or repeats an earlier item's key cannot be told apart by it; they
//! get a synthetic key instead, sent to the client as the item's `_k`. Synthetic keys contain
//! `<`, which escaped slot text never does, so they cannot collide with a real key. Items of a
//! list without a key slot are identified by position.

use std::borrow::Cow;
use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::{Item, List};

/// How one item is identified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemKey<'r> {
    /// The key list operations name the item by.
    pub key: Cow<'r, str>,
    /// Whether the key is made up (a position or a disambiguated duplicate); the client then
    /// learns it from the item's `_k` field.
    pub synthetic: bool,
}

/// The keys of a list's items, in order; unique within the list.
pub(crate) fn item_keys<'r>(list: List<'r>) -> Vec<ItemKey<'r>> {
    let Some(_) = list.key_slot() else {
        return list
            .items()
            .enumerate()
            .map(|(position, _)| ItemKey {
                key: Cow::Owned(position.to_string()),
                synthetic: true,
            })
            .collect();
    };
    let mut seen: KeyMap<&'r str, usize> = key_map(list.items().size_hint().0);
    let mut keys = Vec::new();
    for (position, item) in list.items().enumerate() {
        keys.push(key_of(item, position, &mut seen));
    }
    keys
}

/// A map keyed by item keys, which come from user data: seeded hashing resists flooding.
pub(crate) type KeyMap<K, V> = HashMap<K, V, RandomState>;

/// An empty [`KeyMap`] with room for `capacity` keys.
pub(crate) fn key_map<K, V>(capacity: usize) -> KeyMap<K, V> {
    HashMap::with_capacity_and_hasher(capacity, RandomState::default())
}

/// The key of `item`, the item at `position` in `list`: the same key [`item_keys`] gives,
/// without building a map (for when only a few items are needed). Costs a walk over the
/// items before it.
pub(crate) fn key_at<'r>(list: List<'r>, item: Item<'r>, position: usize) -> ItemKey<'r> {
    match item.key() {
        Some(key) if !key.is_empty() => {
            let count = 1 + list.count_key_before(item, key);
            if count == 1 {
                ItemKey {
                    key: Cow::Borrowed(key),
                    synthetic: false,
                }
            } else {
                ItemKey {
                    key: Cow::Owned(format!("{key}<{count}")),
                    synthetic: true,
                }
            }
        }
        _ => ItemKey {
            key: Cow::Owned(format!("<{position}")),
            synthetic: true,
        },
    }
}

fn key_of<'r>(item: Item<'r>, position: usize, seen: &mut KeyMap<&'r str, usize>) -> ItemKey<'r> {
    match item.key() {
        Some(key) if !key.is_empty() => {
            let count = seen.entry(key).or_insert(0);
            *count += 1;
            if *count == 1 {
                ItemKey {
                    key: Cow::Borrowed(key),
                    synthetic: false,
                }
            } else {
                tracing::debug!(
                    key,
                    position,
                    "duplicate list item key; using a synthetic key"
                );
                ItemKey {
                    key: Cow::Owned(format!("{key}<{count}")),
                    synthetic: true,
                }
            }
        }
        _ => {
            tracing::debug!(position, "list item without a key; using its position");
            ItemKey {
                key: Cow::Owned(format!("<{position}")),
                synthetic: true,
            }
        }
    }
}

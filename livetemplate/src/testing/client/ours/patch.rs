//! Applying an update to our client's tree: whole values (text, nodes, lists; long and short
//! forms) and the merge of changed slots into the nodes and items the client holds.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::super::error::{ApplyError, shape};
use super::super::path::Path;
use super::super::values::{has_statics, number_text, slot_index, statics_parts};
use super::ops::apply_ops;
use super::{OurItem, OurList, OurNode, OurValue, Statics};
use crate::wire::keys as k;

/// A whole value: text, or a node or list with its statics.
fn whole(
    value: &Value,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<OurValue, ApplyError> {
    path.check_depth()?;
    match value {
        Value::String(text) => Ok(OurValue::Text(text.clone())),
        Value::Number(number) => Ok(OurValue::Text(number_text(number))),
        Value::Bool(b) => Ok(OurValue::Text(b.to_string())),
        Value::Null => Err(shape(path, "text, a node or a list, not null")),
        Value::Array(short) if is_short_node(short) => {
            short_node(short, cache, path).map(OurValue::Node)
        }
        Value::Array(_) => Err(shape(
            path,
            "a whole value (list operations apply only to a list the client holds)",
        )),
        Value::Object(object) => {
            if !has_statics(object) {
                return Err(shape(
                    path,
                    "a whole node or list, with \"s\" or \"f\" (a partial update applies only to a node the client holds)",
                ));
            }
            let statics = statics(object, cache, path)?;
            if object.contains_key(k::ITEMS) {
                list(object, statics, cache, path).map(OurValue::List)
            } else {
                node(object, statics, cache, path).map(OurValue::Node)
            }
        }
    }
}

/// The statics of a whole node or list: its `"s"` (cached under its `"f"`), or the cached
/// table its `"f"` names.
pub(super) fn statics(
    object: &Map<String, Value>,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<Statics, ApplyError> {
    let id = match object.get(k::FINGERPRINT) {
        None => None,
        Some(id) => Some(
            id.as_u64()
                .ok_or_else(|| shape(path, "\"f\": a statics id (a non-negative integer)"))?,
        ),
    };
    match (object.get(k::STATICS), id) {
        (Some(parts), id) => {
            let parts = statics_parts(parts)
                .ok_or_else(|| shape(path, "\"s\": a non-empty array of strings"))?;
            let statics: Statics = parts.into();
            if let Some(id) = id {
                cache.insert(id, Arc::clone(&statics));
            }
            Ok(statics)
        }
        (None, Some(id)) => cache
            .get(&id)
            .cloned()
            .ok_or_else(|| ApplyError::UnknownStatics {
                path: path.to_string(),
                id,
            }),
        (None, None) => Err(shape(path, "\"s\" or \"f\"")),
    }
}

pub(super) fn node(
    object: &Map<String, Value>,
    statics: Statics,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<OurNode, ApplyError> {
    let slots = exact_slots(
        object,
        statics.len() - 1,
        &[k::STATICS, k::FINGERPRINT],
        cache,
        path,
    )?;
    Ok(OurNode { statics, slots })
}

/// Whether an array is a node in short form, `[id, slot0, …]`, rather than list operations.
fn is_short_node(values: &[Value]) -> bool {
    values.first().is_some_and(Value::is_number)
}

/// A node in short form: `[id, slot0, slot1, …]`, its statics the cached table `id` names.
pub(super) fn short_node(
    values: &[Value],
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<OurNode, ApplyError> {
    path.check_depth()?;
    let Some((id, slots)) = values.split_first() else {
        return Err(shape(path, "[id, slots…]: a node in short form"));
    };
    let id = id.as_u64().ok_or_else(|| {
        shape(
            path,
            "[id, slots…] with id a statics id (a non-negative integer)",
        )
    })?;
    let statics = cache
        .get(&id)
        .cloned()
        .ok_or_else(|| ApplyError::UnknownStatics {
            path: path.to_string(),
            id,
        })?;
    let slots = positional_slots(slots, statics.len() - 1, 1, cache, path)?;
    Ok(OurNode { statics, slots })
}

/// Slots given by position (a short-form node or item); `offset` is where they start in the
/// array, for error paths.
fn positional_slots(
    values: &[Value],
    count: usize,
    offset: usize,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<Vec<OurValue>, ApplyError> {
    if values.len() != count {
        return Err(ApplyError::SlotCount {
            path: path.to_string(),
            expected: count,
            found: values.len(),
        });
    }
    values
        .iter()
        .enumerate()
        .map(|(i, value)| whole(value, cache, &path.index(i + offset)))
        .collect()
}

fn list(
    object: &Map<String, Value>,
    statics: Statics,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<OurList, ApplyError> {
    if let Some(key) = object.keys().find(|key| {
        !matches!(
            key.as_str(),
            k::STATICS | k::FINGERPRINT | k::ITEMS | k::LIST_META
        )
    }) {
        return Err(ApplyError::UnknownKey {
            path: path.to_string(),
            key: key.clone(),
        });
    }
    let count = statics.len() - 1;
    let id_key = match object.get(k::LIST_META) {
        None => None,
        Some(meta) => id_key(meta, count, &path.key(k::LIST_META))?,
    };
    let Some(Value::Array(items)) = object.get(k::ITEMS) else {
        return Err(shape(&path.key(k::ITEMS), "an array of items"));
    };
    let items = items
        .iter()
        .enumerate()
        .map(|(i, value)| item(value, count, cache, &path.index(i)))
        .collect::<Result<_, _>>()?;
    Ok(OurList {
        statics,
        id_key,
        items,
    })
}

/// A list's `"m"`: `{"idKey": "<slot>"}`, or `{}`.
pub(super) fn id_key(
    meta: &Value,
    count: usize,
    path: &Path<'_>,
) -> Result<Option<usize>, ApplyError> {
    let Value::Object(meta) = meta else {
        return Err(shape(path, "an object"));
    };
    if let Some(key) = meta.keys().find(|key| key.as_str() != k::ID_KEY) {
        return Err(ApplyError::UnknownKey {
            path: path.to_string(),
            key: key.clone(),
        });
    }
    match meta.get(k::ID_KEY) {
        None => Ok(None),
        Some(Value::String(slot)) => match slot_index(slot) {
            Some(slot) if slot < count => Ok(Some(slot)),
            _ => Err(shape(
                path,
                "\"idKey\": the number of one of the item's slots",
            )),
        },
        Some(_) => Err(shape(path, "\"idKey\": a string")),
    }
}

pub(super) fn item(
    value: &Value,
    count: usize,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<OurItem, ApplyError> {
    path.check_depth()?;
    if let Value::Array(slots) = value {
        let slots = positional_slots(slots, count, 0, cache, path)?;
        return Ok(OurItem { key: None, slots });
    }
    let Value::Object(object) = value else {
        return Err(shape(path, "an item: an object or an array of slots"));
    };
    let key = match object.get(k::ITEM_KEY) {
        None => None,
        Some(Value::String(key)) => Some(key.clone()),
        Some(_) => return Err(shape(&path.key(k::ITEM_KEY), "a string")),
    };
    let slots = exact_slots(object, count, &[k::ITEM_KEY], cache, path)?;
    Ok(OurItem { key, slots })
}

/// Slots `"0"` to `count - 1`, all present; besides them only the keys in `other`.
fn exact_slots(
    object: &Map<String, Value>,
    count: usize,
    other: &[&str],
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<Vec<OurValue>, ApplyError> {
    let mut numbered = 0;
    let mut out_of_range = false;
    for key in object.keys() {
        if other.contains(&key.as_str()) {
            continue;
        }
        match slot_index(key) {
            Some(index) => {
                numbered += 1;
                out_of_range |= index >= count;
            }
            None => {
                return Err(ApplyError::UnknownKey {
                    path: path.to_string(),
                    key: key.clone(),
                });
            }
        }
    }
    if numbered != count || out_of_range {
        return Err(ApplyError::SlotCount {
            path: path.to_string(),
            expected: count,
            found: numbered,
        });
    }
    let mut slots = Vec::with_capacity(count);
    for index in 0..count {
        let key = index.to_string();
        let Some(value) = object.get(&key) else {
            return Err(ApplyError::SlotCount {
                path: path.to_string(),
                expected: count,
                found: numbered,
            });
        };
        slots.push(whole(value, cache, &path.key(&key))?);
    }
    Ok(slots)
}

/// Merges `{"3": change, …}` into a node's or item's slots.
pub(super) fn merge_slots(
    slots: &mut [OurValue],
    changes: &Map<String, Value>,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<(), ApplyError> {
    // In slot order, as the encoder writes them: a table's `"s"` in slot 2 must be learnt
    // before slot 10 names it by `"f"` (the map itself iterates keys as strings).
    let mut ordered = Vec::with_capacity(changes.len());
    for (key, change) in changes {
        let index = slot_index(key).ok_or_else(|| ApplyError::UnknownKey {
            path: path.to_string(),
            key: key.clone(),
        })?;
        ordered.push((index, key, change));
    }
    ordered.sort_unstable_by_key(|(index, ..)| *index);
    for (index, key, change) in ordered {
        let slot = slots.get_mut(index).ok_or_else(|| ApplyError::UnknownKey {
            path: path.to_string(),
            key: key.clone(),
        })?;
        merge(slot, change, cache, &path.key(key))?;
    }
    Ok(())
}

fn merge(
    slot: &mut OurValue,
    change: &Value,
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<(), ApplyError> {
    path.check_depth()?;
    match change {
        Value::Object(changes) if !has_statics(changes) => match slot {
            OurValue::Node(node) => merge_slots(&mut node.slots, changes, cache, path),
            _ => Err(shape(
                path,
                "a whole value: a partial update applies only to a node, and the slot holds text or a list",
            )),
        },
        Value::Array(ops) if !is_short_node(ops) => match slot {
            OurValue::List(list) => apply_ops(list, ops, cache, path),
            _ => Err(shape(
                path,
                "a whole value: list operations apply only to a list, and the slot holds none",
            )),
        },
        whole_value => {
            *slot = whole(whole_value, cache, path)?;
            Ok(())
        }
    }
}

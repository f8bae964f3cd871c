//! The JavaScript client's list operations (`applyDifferentialOpsToRange`) and how it names
//! items (`getItemKey`).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::super::error::{ApplyError, missing_key, shape};
use super::super::values::{OP_SHAPES, statics_parts};
use super::check_depth;
use super::{deep_merge, truthy};
use crate::wire::keys as k;

/// `getItemKey`: a non-empty string `_k`, else the non-empty string in the slot registered
/// as the key of the list at `path`.
fn legacy_key<'v>(
    item: &'v Value,
    path: &str,
    id_keys: &HashMap<String, String>,
) -> Option<&'v str> {
    let Value::Object(item) = item else {
        return None;
    };
    if let Some(Value::String(key)) = item.get(k::ITEM_KEY)
        && !key.is_empty()
    {
        return Some(key);
    }
    match item.get(id_keys.get(path)?) {
        Some(Value::String(key)) if !key.is_empty() => Some(key),
        _ => None,
    }
}

fn legacy_find(
    items: &[Value],
    key: &str,
    path: &str,
    id_keys: &HashMap<String, String>,
) -> Option<usize> {
    items
        .iter()
        .position(|item| legacy_key(item, path, id_keys) == Some(key))
}

fn items_mut<'r>(
    range: &'r mut Map<String, Value>,
    path: &str,
) -> Result<&'r mut Vec<Value>, ApplyError> {
    match range.get_mut(k::ITEMS) {
        Some(Value::Array(items)) => Ok(items),
        _ => Err(shape(&path, "a list with \"d\"")),
    }
}

/// Items of `["a", items]`, `["p", items]` or `["i", after, item]`: an array of item objects
/// or one item object.
fn new_items(value: &Value, path: &str) -> Result<Vec<Value>, ApplyError> {
    let items = match value {
        Value::Array(items) => items.clone(),
        item => vec![item.clone()],
    };
    if items.iter().all(Value::is_object) {
        Ok(items)
    } else {
        Err(shape(&path, "items: objects of slots"))
    }
}

/// `applyDifferentialOpsToRange`.
pub(super) fn legacy_ops(
    range: &mut Map<String, Value>,
    ops: &Value,
    path: &str,
    depth: usize,
    id_keys: &mut HashMap<String, String>,
) -> Result<(), ApplyError> {
    check_depth(path, depth)?;
    if let Some(Value::Object(meta)) = range.get(k::LIST_META)
        && let Some(Value::String(slot)) = meta.get(k::ID_KEY)
    {
        id_keys.insert(path.to_owned(), slot.clone());
    }
    let Value::Array(ops) = ops else {
        return Err(shape(&path, OP_SHAPES));
    };
    for (i, op) in ops.iter().enumerate() {
        let at = || format!("{path}[{i}]");
        let Value::Array(op) = op else {
            return Err(shape(&at(), OP_SHAPES));
        };
        let (Some(name), Some(arg)) = (op.first().and_then(Value::as_str), op.get(1)) else {
            return Err(shape(&at(), OP_SHAPES));
        };
        match name {
            k::OP_REMOVE => {
                let key = arg
                    .as_str()
                    .ok_or_else(|| shape(&at(), "a key: a string"))?;
                let found = legacy_find(items_mut(range, path)?, key, path, id_keys)
                    .ok_or_else(|| missing_key(&at(), key))?;
                items_mut(range, path)?.remove(found);
            }
            k::OP_UPDATE => {
                let key = arg
                    .as_str()
                    .ok_or_else(|| shape(&at(), "a key: a string"))?;
                let found = legacy_find(items_mut(range, path)?, key, path, id_keys)
                    .ok_or_else(|| missing_key(&at(), key))?;
                let Some(changes @ Value::Object(_)) = op.get(2) else {
                    return Err(shape(&at(), "[\"u\",key,changes] with changes an object"));
                };
                let item_path = format!("{path}.item");
                if let Some(item) = items_mut(range, path)?.get_mut(found) {
                    deep_merge(item, changes, &item_path, depth + 1, id_keys)?;
                }
            }
            k::OP_APPEND | k::OP_PREPEND => {
                let items = new_items(arg, &at())?;
                if let Some(parts) = op.get(2).filter(|parts| truthy(parts)) {
                    if statics_parts(parts).is_none() {
                        return Err(shape(&at(), "statics: a non-empty array of strings"));
                    }
                    range.insert(k::STATICS.to_owned(), parts.clone());
                }
                let list = items_mut(range, path)?;
                if name == k::OP_APPEND {
                    list.extend(items);
                    if let Some(Value::Object(meta)) = op.get(3)
                        && let Some(Value::String(slot)) = meta.get(k::ID_KEY)
                        && !slot.is_empty()
                    {
                        id_keys.insert(path.to_owned(), slot.clone());
                    }
                } else {
                    list.splice(0..0, items);
                }
            }
            k::OP_INSERT => {
                let key = arg
                    .as_str()
                    .ok_or_else(|| shape(&at(), "a key: a string"))?;
                let found = legacy_find(items_mut(range, path)?, key, path, id_keys)
                    .ok_or_else(|| missing_key(&at(), key))?;
                let Some(item) = op.get(2) else {
                    return Err(shape(&at(), "[\"i\",after,item]"));
                };
                let items = new_items(item, &at())?;
                let list = items_mut(range, path)?;
                let after = (found + 1).min(list.len());
                list.splice(after..after, items);
            }
            k::OP_REORDER => {
                let Value::Array(keys) = arg else {
                    return Err(shape(&at(), "[\"o\",keys] with keys an array"));
                };
                let list = items_mut(range, path)?;
                let mut order = Vec::with_capacity(keys.len());
                {
                    // JavaScript fills a Map in item order: the last item with a key wins.
                    let mut by_key: HashMap<&str, usize> = HashMap::new();
                    for (position, item) in list.iter().enumerate() {
                        if let Some(key) = legacy_key(item, path, id_keys) {
                            by_key.insert(key, position);
                        }
                    }
                    for key in keys {
                        let key = key
                            .as_str()
                            .ok_or_else(|| shape(&at(), "a key: a string"))?;
                        let position = by_key.get(key).ok_or_else(|| missing_key(&at(), key))?;
                        order.push(*position);
                    }
                }
                let mut old: Vec<Option<Value>> =
                    std::mem::take(list).into_iter().map(Some).collect();
                for position in order {
                    match old.get_mut(position).and_then(Option::take) {
                        Some(item) => list.push(item),
                        None => return Err(shape(&at(), "a reorder naming each key once")),
                    }
                }
            }
            _ => return Err(shape(&at(), OP_SHAPES)),
        }
    }
    Ok(())
}

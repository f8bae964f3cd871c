//! List operations on our client's lists: remove, update, insert, append, prepend and
//! reorder, in the long form (`["r", key]`) and our short numbered form (`[0, key…]`).

use std::borrow::Cow;
use std::collections::HashMap;

use serde_json::Value;

use super::super::error::{ApplyError, missing_key, shape};
use super::super::path::Path;
use super::super::values::{OP_SHAPES, number_text, statics_parts};
use super::patch::{id_key, item, merge_slots};
use super::{OurItem, OurList, Statics};
use crate::wire::keys as k;

pub(super) fn apply_ops(
    list: &mut OurList,
    ops: &[Value],
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<(), ApplyError> {
    for (i, op) in ops.iter().enumerate() {
        let path = path.index(i);
        path.check_depth()?;
        let Value::Array(op) = op else {
            return Err(shape(&path, OP_SHAPES));
        };
        if let Some(code) = op.first().and_then(Value::as_u64) {
            // A code past `u8` names no operation: `short_op` refuses it as `u8::MAX`.
            let code = u8::try_from(code).unwrap_or(u8::MAX);
            short_op(list, code, &op[1..], cache, &path)?;
            continue;
        }
        match (op.first().and_then(Value::as_str), op.as_slice()) {
            (Some(k::OP_REMOVE), [_, key]) => {
                let at = find(list, key_arg(key, &path)?, &path)?;
                list.items.remove(at);
            }
            (Some(k::OP_UPDATE), [_, key, changes]) => {
                let at = find(list, key_arg(key, &path)?, &path)?;
                let Value::Object(changes) = changes else {
                    return Err(shape(&path, "[\"u\",key,changes] with changes an object"));
                };
                if let Some(item) = list.items.get_mut(at) {
                    merge_slots(&mut item.slots, changes, cache, &path)?;
                }
            }
            (Some(k::OP_INSERT), [_, after, new]) => {
                let at = find(list, key_arg(after, &path)?, &path)?;
                let count = list.statics.len() - 1;
                let new = item(new, count, cache, &path.index(2))?;
                list.items.insert(at + 1, new);
            }
            (Some(name @ (k::OP_APPEND | k::OP_PREPEND)), [_, items, rest @ ..])
                if rest.len() <= if name == k::OP_APPEND { 2 } else { 1 } =>
            {
                if let Some(parts) = rest.first().filter(|parts| !parts.is_null()) {
                    let parts = statics_parts(parts)
                        .ok_or_else(|| shape(&path, "statics: a non-empty array of strings"))?;
                    list.statics = parts.into();
                }
                let count = list.statics.len() - 1;
                let Value::Array(items) = items else {
                    return Err(shape(&path, "an array of items"));
                };
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(n, value)| item(value, count, cache, &path.index(n)))
                    .collect::<Result<Vec<_>, _>>()?;
                if name == k::OP_APPEND {
                    list.items.extend(items);
                } else {
                    list.items.splice(0..0, items);
                }
                if let Some(meta) = rest.get(1).filter(|meta| !meta.is_null()) {
                    list.id_key = id_key(meta, count, &path)?;
                }
            }
            (Some(k::OP_REORDER), [_, Value::Array(keys)]) => reorder(list, keys, false, &path)?,
            _ => return Err(shape(&path, OP_SHAPES)),
        }
    }
    Ok(())
}

const SHORT_OP_SHAPES: &str = "an operation in short form: [0,key…], [1,key,changes], [2,after,item], [3,item…], [4,item…] or [5,key…]";

/// One list operation in our client's short form: a numeric code and its arguments, flat.
fn short_op(
    list: &mut OurList,
    code: u8,
    args: &[Value],
    cache: &mut HashMap<u64, Statics>,
    path: &Path<'_>,
) -> Result<(), ApplyError> {
    let count = list.statics.len() - 1;
    match (code, args) {
        (k::CODE_REMOVE, keys) if !keys.is_empty() => {
            for key in keys {
                let at = find(list, &short_key(key, path)?, path)?;
                list.items.remove(at);
            }
        }
        (k::CODE_UPDATE, [key, Value::Object(changes)]) => {
            let at = find(list, &short_key(key, path)?, path)?;
            if let Some(item) = list.items.get_mut(at) {
                merge_slots(&mut item.slots, changes, cache, path)?;
            }
        }
        (k::CODE_INSERT, [after, new]) => {
            let at = find(list, &short_key(after, path)?, path)?;
            let new = item(new, count, cache, &path.index(2))?;
            list.items.insert(at + 1, new);
        }
        (k::CODE_APPEND | k::CODE_PREPEND, items) if !items.is_empty() => {
            let items = items
                .iter()
                .enumerate()
                .map(|(n, value)| item(value, count, cache, &path.index(n + 1)))
                .collect::<Result<Vec<_>, _>>()?;
            if code == k::CODE_APPEND {
                list.items.extend(items);
            } else {
                list.items.splice(0..0, items);
            }
        }
        (k::CODE_REORDER, keys) if !keys.is_empty() => reorder(list, keys, true, path)?,
        _ => return Err(shape(path, SHORT_OP_SHAPES)),
    }
    Ok(())
}

fn key_arg<'v>(key: &'v Value, path: &Path<'_>) -> Result<&'v str, ApplyError> {
    key.as_str().ok_or_else(|| shape(path, "a key: a string"))
}

/// A key argument of a short-form operation: a string, or a whole number standing for its
/// text.
fn short_key<'v>(key: &'v Value, path: &Path<'_>) -> Result<Cow<'v, str>, ApplyError> {
    match key {
        Value::String(key) => Ok(Cow::Borrowed(key)),
        Value::Number(number) if number.is_i64() || number.is_u64() => {
            Ok(Cow::Owned(number_text(number)))
        }
        _ => Err(shape(path, "a key: a string or a whole number")),
    }
}

/// The position of the first item with `key`.
fn find(list: &OurList, key: &str, path: &Path<'_>) -> Result<usize, ApplyError> {
    list.items
        .iter()
        .position(|item| item.key(list.id_key) == Some(key))
        .ok_or_else(|| missing_key(path, key))
}

/// `["o", keys]`: the items named, in that order; the others are dropped.
fn reorder(
    list: &mut OurList,
    keys: &[Value],
    short: bool,
    path: &Path<'_>,
) -> Result<(), ApplyError> {
    let mut order = Vec::with_capacity(keys.len());
    {
        let mut positions: HashMap<&str, usize> = HashMap::new();
        for (at, item) in list.items.iter().enumerate() {
            if let Some(key) = item.key(list.id_key) {
                positions.entry(key).or_insert(at);
            }
        }
        for key in keys {
            let key = if short {
                short_key(key, path)?
            } else {
                Cow::Borrowed(key_arg(key, path)?)
            };
            let at = positions
                .get(key.as_ref())
                .ok_or_else(|| missing_key(path, &key))?;
            order.push(*at);
        }
    }
    let mut old: Vec<Option<OurItem>> = std::mem::take(&mut list.items)
        .into_iter()
        .map(Some)
        .collect();
    for at in order {
        match old.get_mut(at).and_then(Option::take) {
            Some(item) => list.items.push(item),
            None => return Err(shape(path, "a reorder naming each key once")),
        }
    }
    Ok(())
}

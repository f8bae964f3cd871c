//! The `@livetemplate/client` 0.25 model (its `state/tree-renderer.js`): a plain JSON tree,
//! deep-merged update by update, with the list key slots it registered by path. `ops` applies
//! its list operations; `render` is its `reconstructFromTree`.

mod ops;
mod render;

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::MAX_DEPTH;
use super::error::{ApplyError, shape};
use crate::wire::keys as k;
use ops::legacy_ops;
use render::reconstruct;

/// The JavaScript client's `treeState` (a plain JSON object) and `rangeIdKeys` (list path →
/// key slot). Paths are spelled as the JavaScript client spells its `statePath`: `"1"`, `"1.0"`,
/// and `"1.item.2"` for a list in slot 2 of an item of list 1.
#[derive(Debug, Clone, Default)]
pub(crate) struct LegacyTree {
    state: Map<String, Value>,
    id_keys: HashMap<String, String>,
}

impl LegacyTree {
    /// `applyUpdate`: each top-level key is merged on its own; the root itself is never
    /// replaced.
    pub(super) fn apply(&mut self, tree: &Value) -> Result<(), ApplyError> {
        let Value::Object(update) = tree else {
            return Err(shape(&"tree", "an object"));
        };
        for (key, value) in update {
            if is_ops(value) {
                match self.state.get_mut(key) {
                    Some(Value::Object(range)) if is_range(range) => {
                        legacy_ops(range, value, key, 1, &mut self.id_keys)?;
                    }
                    _ => return Err(shape(key, "a whole list (the slot holds no list)")),
                }
            } else if value.is_object() {
                let slot = self.state.entry(key.clone()).or_insert(Value::Null);
                deep_merge(slot, value, key, 1, &mut self.id_keys)?;
            } else {
                self.state.insert(key.clone(), value.clone());
            }
        }
        Ok(())
    }

    /// `reconstructFromTree(treeState, "")`.
    pub(super) fn html(&self) -> Result<String, ApplyError> {
        if !matches!(self.state.get(k::STATICS), Some(Value::Array(_))) {
            return Err(ApplyError::NoTree);
        }
        reconstruct(&self.state, "", 0)
    }
}

/// `isDifferentialOps`: a non-empty array whose first element is an array starting with a
/// string.
fn is_ops(value: &Value) -> bool {
    value
        .as_array()
        .and_then(|ops| ops.first())
        .and_then(Value::as_array)
        .and_then(|op| op.first())
        .is_some_and(Value::is_string)
}

/// `isRangeNode`: an object with `"d"` and `"s"` arrays.
pub(super) fn is_range(object: &Map<String, Value>) -> bool {
    matches!(object.get(k::ITEMS), Some(Value::Array(_)))
        && matches!(object.get(k::STATICS), Some(Value::Array(_)))
}

/// `/^\d+$/`.
pub(super) fn is_numeric(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// JavaScript truthiness of a JSON value.
pub(super) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Refuses a path nested past [`MAX_DEPTH`] (every level of the tree counts).
pub(super) fn check_depth(path: &str, depth: usize) -> Result<(), ApplyError> {
    if depth > MAX_DEPTH {
        return Err(ApplyError::TooDeep {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// `deepMergeTreeNodes`, in place.
pub(super) fn deep_merge(
    existing: &mut Value,
    update: &Value,
    path: &str,
    depth: usize,
    id_keys: &mut HashMap<String, String>,
) -> Result<(), ApplyError> {
    check_depth(path, depth)?;
    let Value::Object(update_object) = update else {
        *existing = update.clone();
        return Ok(());
    };
    let Value::Object(merged) = existing else {
        *existing = update.clone();
        return Ok(());
    };
    if should_full_replace(merged, update_object) {
        *existing = update.clone();
        return Ok(());
    }
    for (key, value) in update_object {
        let field = join(path, key);
        if is_ops(value) {
            match merged.get_mut(key) {
                Some(Value::Object(range)) if is_range(range) => {
                    legacy_ops(range, value, &field, depth + 1, id_keys)?;
                }
                _ => return Err(shape(&field, "a whole list (the slot holds no list)")),
            }
        } else if value.is_object() && matches!(merged.get(key), Some(Value::Object(_))) {
            if let Some(slot) = merged.get_mut(key) {
                deep_merge(slot, value, &field, depth + 1, id_keys)?;
            }
        } else {
            merged.insert(key.clone(), value.clone());
        }
    }
    Ok(())
}

/// `shouldFullReplace`: the update has statics, and either the existing value holds a list
/// somewhere the update does not, or it has a slot the update lacks.
fn should_full_replace(existing: &Map<String, Value>, update: &Map<String, Value>) -> bool {
    if !matches!(update.get(k::STATICS), Some(Value::Array(_))) {
        return false;
    }
    if has_range_anywhere(existing, 0) && !has_range_anywhere(update, 0) {
        return true;
    }
    existing
        .keys()
        .any(|key| is_numeric(key) && !update.contains_key(key))
}

/// `hasRangeAnywhere`, with its depth limit of 50.
fn has_range_anywhere(object: &Map<String, Value>, depth: usize) -> bool {
    if depth > 50 {
        return false;
    }
    if is_range(object) {
        return true;
    }
    object.iter().any(|(key, child)| match child {
        Value::Object(child) if is_numeric(key) => has_range_anywhere(child, depth + 1),
        _ => false,
    })
}

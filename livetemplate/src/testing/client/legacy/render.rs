//! The JavaScript client's HTML (`reconstructFromTree`, `renderValue`,
//! `renderRangeStructure`), quirks included.

use serde_json::{Map, Value};

use super::super::MAX_HTML;
use super::super::error::{ApplyError, shape};
use super::super::values::{number_text, statics_parts};
use super::check_depth;
use super::{is_numeric, is_range, join, truthy};
use crate::wire::keys as k;

/// `reconstructFromTree` of a node with an `"s"` array: statics and slots interleaved, then
/// every `<root>` and `</root>` removed.
pub(super) fn reconstruct(
    node: &Map<String, Value>,
    path: &str,
    depth: usize,
) -> Result<String, ApplyError> {
    check_depth(path, depth)?;
    let parts = node
        .get(k::STATICS)
        .and_then(statics_parts)
        .ok_or_else(|| shape(&join(path, k::STATICS), "a non-empty array of strings"))?;
    let mut html = String::new();
    let gaps = parts.len() - 1;
    for (index, part) in parts.iter().enumerate() {
        html.push_str(part);
        if index < gaps {
            let key = index.to_string();
            let Some(value) = node.get(&key) else {
                return Err(slot_count(node, path, gaps));
            };
            html.push_str(&render_value(value, &join(path, &key), depth + 1)?);
            if html.len() > MAX_HTML {
                return Err(ApplyError::TooLarge);
            }
        }
    }
    if html.contains("root>") {
        html = html.replace("<root>", "").replace("</root>", "");
    }
    Ok(html)
}

fn slot_count(object: &Map<String, Value>, path: &str, expected: usize) -> ApplyError {
    ApplyError::SlotCount {
        path: if path.is_empty() {
            "tree".to_owned()
        } else {
            path.to_owned()
        },
        expected,
        found: object.keys().filter(|key| is_numeric(key)).count(),
    }
}

/// `renderValue`, for the values a slot holds.
fn render_value(value: &Value, path: &str, depth: usize) -> Result<String, ApplyError> {
    check_depth(path, depth)?;
    match value {
        Value::Null => Err(shape(&path, "a slot value, not null")),
        Value::String(text) if text.starts_with("{{") && text.ends_with("}}") => Ok(String::new()),
        Value::String(text) => Ok(text.clone()),
        Value::Number(number) => Ok(number_text(number)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Object(object) if is_range(object) => render_range(object, path, depth),
        Value::Object(object) if matches!(object.get(k::STATICS), Some(Value::Array(_))) => {
            reconstruct(object, path, depth)
        }
        Value::Object(_) => Err(shape(
            &path,
            "a node with \"s\" (a partial update for a slot that held no node)",
        )),
        Value::Array(_) => Err(shape(
            &path,
            "a slot value, not an array (list operations for a slot that held no list)",
        )),
    }
}

/// `renderRangeStructure`: each item's slots between the list's statics; an empty list shows
/// its `"else"` value, if any.
fn render_range(
    range: &Map<String, Value>,
    path: &str,
    depth: usize,
) -> Result<String, ApplyError> {
    let Some(Value::Array(items)) = range.get(k::ITEMS) else {
        return Err(shape(&path, "a list with \"d\""));
    };
    if items.is_empty() {
        return match range.get(k::ELSE).filter(|value| truthy(value)) {
            Some(otherwise) => render_value(otherwise, &join(path, k::ELSE), depth + 1),
            None => Ok(String::new()),
        };
    }
    let parts = range
        .get(k::STATICS)
        .and_then(statics_parts)
        .ok_or_else(|| shape(&join(path, k::STATICS), "a non-empty array of strings"))?;
    let gaps = parts.len() - 1;
    let mut html = String::new();
    for (position, item) in items.iter().enumerate() {
        let item_path = join(path, &position.to_string());
        let Value::Object(item) = item else {
            return Err(shape(&item_path, "an item: an object of slots"));
        };
        for (index, part) in parts.iter().enumerate() {
            html.push_str(part);
            if index < gaps {
                let key = index.to_string();
                let Some(value) = item.get(&key) else {
                    return Err(slot_count(item, &item_path, gaps));
                };
                html.push_str(&render_value(value, &join(&item_path, &key), depth + 1)?);
                if html.len() > MAX_HTML {
                    return Err(ApplyError::TooLarge);
                }
            }
        }
    }
    Ok(html)
}

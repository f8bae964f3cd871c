//! Our client's model: the tree it caches (nodes, lists and items, with the statics cache by
//! `"f"` id) and its HTML. `patch` merges an update into it; `ops` applies list operations.

mod ops;
mod patch;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::MAX_HTML;
use super::error::{ApplyError, shape};
use super::path::{Path, ROOT};
use super::values::has_statics;
use crate::wire::keys as k;
use patch::{merge_slots, node, short_node, statics};

/// A statics table, shared between the cache and every node or list that uses it.
pub(super) type Statics = Arc<[String]>;

#[derive(Debug, Clone, Default)]
pub(crate) struct OurTree {
    root: Option<OurNode>,
    cache: HashMap<u64, Statics>,
}

#[derive(Debug, Clone)]
pub(super) enum OurValue {
    Text(String),
    Node(OurNode),
    List(OurList),
}

#[derive(Debug, Clone)]
pub(super) struct OurNode {
    statics: Statics,
    slots: Vec<OurValue>,
}

#[derive(Debug, Clone)]
pub(super) struct OurList {
    statics: Statics,
    id_key: Option<usize>,
    items: Vec<OurItem>,
}

#[derive(Debug, Clone)]
pub(super) struct OurItem {
    key: Option<String>,
    slots: Vec<OurValue>,
}

impl OurItem {
    /// `_k` when the item has one, else the text of the list's key slot.
    pub(super) fn key(&self, id_key: Option<usize>) -> Option<&str> {
        if let Some(key) = &self.key {
            return Some(key);
        }
        match self.slots.get(id_key?)? {
            OurValue::Text(key) => Some(key),
            _ => None,
        }
    }
}

impl OurTree {
    pub(super) fn apply(&mut self, tree: &Value) -> Result<(), ApplyError> {
        if let Value::Array(short) = tree {
            self.root = Some(short_node(short, &mut self.cache, &ROOT)?);
            return Ok(());
        }
        let Value::Object(object) = tree else {
            return Err(shape(&ROOT, "an object"));
        };
        if has_statics(object) {
            if object.contains_key(k::ITEMS) {
                return Err(shape(&ROOT, "a node at the root, not a list"));
            }
            let statics = statics(object, &mut self.cache, &ROOT)?;
            self.root = Some(node(object, statics, &mut self.cache, &ROOT)?);
            return Ok(());
        }
        let Some(root) = &mut self.root else {
            return Err(ApplyError::NoTree);
        };
        merge_slots(&mut root.slots, object, &mut self.cache, &ROOT)
    }

    pub(super) fn html(&self) -> Result<String, ApplyError> {
        let root = self.root.as_ref().ok_or(ApplyError::NoTree)?;
        let mut out = String::new();
        render(&root.statics, &root.slots, &mut out, &ROOT)?;
        Ok(out)
    }
}

/// Writes a node's (or an item's) statics and slots into `out`.
fn render(
    statics: &[String],
    slots: &[OurValue],
    out: &mut String,
    path: &Path<'_>,
) -> Result<(), ApplyError> {
    let Some((first, rest)) = statics.split_first() else {
        return Err(shape(path, "statics with at least one part"));
    };
    if slots.len() != rest.len() {
        return Err(ApplyError::SlotCount {
            path: path.to_string(),
            expected: rest.len(),
            found: slots.len(),
        });
    }
    out.push_str(first);
    for (index, (slot, part)) in slots.iter().zip(rest).enumerate() {
        match slot {
            OurValue::Text(text) => out.push_str(text),
            OurValue::Node(node) => render(&node.statics, &node.slots, out, &path.index(index))?,
            OurValue::List(list) => {
                let path = path.index(index);
                for (n, item) in list.items.iter().enumerate() {
                    render(&list.statics, &item.slots, out, &path.index(n))?;
                }
            }
        }
        out.push_str(part);
        if out.len() > MAX_HTML {
            return Err(ApplyError::TooLarge);
        }
    }
    Ok(())
}

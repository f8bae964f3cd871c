//! A reference client in Rust: applies frames to a cached JSON tree and renders its HTML.
//!
//! [`ClientTree`] holds what a browser client holds for one connection: the tree of the last
//! frame, with every update merged in. Feeding it the `"tree"` value of each frame an
//! [`Encoder`](super::Encoder) writes and comparing [`ClientTree::html`] with the server's
//! own render is how the tests check that a connection's page stays right, frame after frame.
//!
//! There are two models, one per [`ClientKind`]:
//!
//! - [`ClientKind::Livetemplate`], our client: the rules of the protocol (`docs/src/protocol.md`,
//!   "Applying updates"), strictly. A value
//!   carrying `"s"` or `"f"` is a whole subtree and replaces what the slot held; any other
//!   object merges changed slots into the node there; an array is list operations on the list
//!   there. Statics are cached by their `"f"` id whenever `"f"` comes with `"s"`, and a subtree
//!   with `"f"` but no `"s"` takes its statics from that cache. It also reads the short forms
//!   the encoder writes for our client (see [`Encoder`](super::Encoder)): whole numbers as
//!   text, `[id, slots…]` nodes, positional items and numbered list operations.
//! - [`ClientKind::Legacy`], `@livetemplate/client` 0.25 (its `state/tree-renderer.js`): it
//!   ignores `"f"`, deep-merges every object into what it holds unless its
//!   `shouldFullReplace` rules say otherwise (so keys the update lacks, such as a list's `"d"`,
//!   can survive a change of statics), renders any object with `"d"` and `"s"` arrays as a list,
//!   names items by `_k` or by the `idKey` it last registered for the list's path, renders a
//!   text slot that starts with `{{` and ends with `}}` as nothing, and strips `<root>` and
//!   `</root>` from every node's HTML.
//!
//! Where the JavaScript client silently skips something (an operation naming a key no item
//! has, a slot missing from a node, a partial update for a slot that holds no node), both
//! models return an [`ApplyError`] instead: the page would be wrong either way.
//!
//! The applier is also a fuzz target. No input makes it panic, and its work is bounded by the
//! input: nesting beyond [`MAX_DEPTH`] is an error, and each frame is applied to a copy that
//! replaces the tree only when the whole frame applied (a bad frame changes nothing).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Number, Value};

use super::ClientKind;
use super::keys as k;

/// The deepest nesting a frame may reach: each slot, list item and list operation is a level.
pub const MAX_DEPTH: usize = 64;

/// The largest HTML [`ClientTree::html`] renders. Statics named by `"f"` are not repeated on
/// the wire, so a small frame can stand for a large page; this bounds the work per frame.
pub const MAX_HTML: usize = 32 << 20;

/// Why a frame could not be applied, or a tree not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApplyError {
    /// The frame is not valid JSON.
    Json(String),
    /// An update arrived, or HTML was asked for, before any whole tree.
    NoTree,
    /// `"f"` names a statics table this connection was never sent.
    UnknownStatics {
        /// Where in the tree.
        path: String,
        /// The id.
        id: u64,
    },
    /// A list operation names a key no item of the list has.
    MissingKey {
        /// Where in the tree.
        path: String,
        /// The key.
        key: String,
    },
    /// A key that names no slot: not a slot number, or past the node's last slot.
    UnknownKey {
        /// Where in the tree.
        path: String,
        /// The key.
        key: String,
    },
    /// A value of the wrong shape for its place.
    Shape {
        /// Where in the tree.
        path: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A node or item whose slots do not match its statics (one slot per gap).
    SlotCount {
        /// Where in the tree.
        path: String,
        /// The number of slots the statics surround.
        expected: usize,
        /// The number of slots found.
        found: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep {
        /// Where in the tree.
        path: String,
    },
    /// The HTML would be longer than [`MAX_HTML`] bytes.
    TooLarge,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplyError::Json(message) => write!(f, "the frame is not valid JSON: {message}"),
            ApplyError::NoTree => f.write_str("no whole tree has been applied yet"),
            ApplyError::UnknownStatics { path, id } => {
                write!(f, "at {path}: unknown statics id {id}")
            }
            ApplyError::MissingKey { path, key } => {
                write!(f, "at {path}: no list item has the key {key:?}")
            }
            ApplyError::UnknownKey { path, key } => {
                write!(f, "at {path}: the key {key:?} names no slot")
            }
            ApplyError::Shape { path, expected } => write!(f, "at {path}: expected {expected}"),
            ApplyError::SlotCount {
                path,
                expected,
                found,
            } => write!(
                f,
                "at {path}: the statics surround {expected} slots, found {found}"
            ),
            ApplyError::TooDeep { path } => {
                write!(f, "at {path}: nested deeper than {MAX_DEPTH} levels")
            }
            ApplyError::TooLarge => write!(f, "the HTML is longer than {MAX_HTML} bytes"),
        }
    }
}

impl std::error::Error for ApplyError {}

/// What a browser client holds for one connection: the merged tree of every frame so far.
///
/// ```
/// use livetemplate::wire::{ClientKind, apply::ClientTree};
///
/// let mut client = ClientTree::new(ClientKind::Livetemplate);
/// client.apply(r#"{"s":["<p>","</p>"],"f":0,"0":"one"}"#)?;
/// client.apply(r#"{"0":"two"}"#)?;
/// assert_eq!(client.html()?, "<p>two</p>");
/// # Ok::<(), livetemplate::wire::apply::ApplyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientTree {
    model: Model,
}

#[derive(Debug, Clone)]
enum Model {
    Ours(OurTree),
    Legacy(LegacyTree),
}

impl ClientTree {
    /// An empty client of the given kind; the first frame it is given must be a whole tree.
    pub fn new(kind: ClientKind) -> Self {
        let model = match kind {
            ClientKind::Livetemplate => Model::Ours(OurTree::default()),
            ClientKind::Legacy => Model::Legacy(LegacyTree::default()),
        };
        ClientTree { model }
    }

    /// The client this tree models.
    pub fn kind(&self) -> ClientKind {
        match self.model {
            Model::Ours(_) => ClientKind::Livetemplate,
            Model::Legacy(_) => ClientKind::Legacy,
        }
    }

    /// Applies the `"tree"` value of one frame: a whole tree, or an update of the tree held.
    /// On an error the tree is left as it was.
    pub fn apply(&mut self, tree_json: &str) -> Result<(), ApplyError> {
        let tree: Value =
            serde_json::from_str(tree_json).map_err(|err| ApplyError::Json(err.to_string()))?;
        let mut next = self.model.clone();
        match &mut next {
            Model::Ours(model) => model.apply(&tree)?,
            Model::Legacy(model) => model.apply(&tree)?,
        }
        self.model = next;
        Ok(())
    }

    /// The HTML of the tree held, as the client would put it into the page.
    pub fn html(&self) -> Result<String, ApplyError> {
        match &self.model {
            Model::Ours(model) => model.html(),
            Model::Legacy(model) => model.html(),
        }
    }
}

/// A server frame as a client reads it: either envelope, any frame type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerFrame {
    /// A tree or an update: `{"tree":…,"meta":…,"ref":n}`, or our client's short envelope
    /// `[tree]`, `[ref, tree]`, `[ref, tree, meta]`.
    Update {
        /// The `"tree"` value, for [`ClientTree::apply`].
        tree: Value,
        /// The outcome of the client's action, when sent.
        meta: Option<Value>,
        /// The `ref` of the client message this frame answers.
        reference: Option<u64>,
    },
    /// `{"type":"error","code":…,"message":…}`.
    Error {
        /// The error code.
        code: String,
        /// The human-readable message.
        message: String,
    },
    /// `{"type":"redirect","to":…}`.
    Redirect {
        /// Where to go.
        to: String,
    },
    /// `{"pong":true}`.
    Pong,
}

impl ServerFrame {
    /// Reads one text frame from the server.
    ///
    /// ```
    /// use livetemplate::wire::apply::ServerFrame;
    ///
    /// let frame = ServerFrame::parse(r#"[7,{"0":1}]"#)?;
    /// assert_eq!(frame.reference(), Some(7));
    /// # Ok::<(), livetemplate::wire::apply::ApplyError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, ApplyError> {
        let value: Value =
            serde_json::from_str(text).map_err(|err| ApplyError::Json(err.to_string()))?;
        let frame_shape = || shape(&"frame", "an update, error, redirect or pong frame");
        match value {
            Value::Array(mut parts) => {
                let reference = |value: &Value| match value {
                    Value::Null => Ok(None),
                    other => other.as_u64().map(Some).ok_or_else(frame_shape),
                };
                let (reference, tree, meta) = match parts.len() {
                    1 => (None, parts.remove(0), None),
                    2 => {
                        let tree = parts.remove(1);
                        (reference(&parts[0])?, tree, None)
                    }
                    3 => {
                        let meta = parts.remove(2);
                        let tree = parts.remove(1);
                        (reference(&parts[0])?, tree, Some(meta))
                    }
                    _ => return Err(frame_shape()),
                };
                Ok(ServerFrame::Update {
                    tree,
                    meta,
                    reference,
                })
            }
            Value::Object(mut object) => {
                if let Some(tree) = object.remove(k::FRAME_TREE) {
                    let reference = match object.get(k::FRAME_REF) {
                        None => None,
                        Some(value) => Some(value.as_u64().ok_or_else(frame_shape)?),
                    };
                    return Ok(ServerFrame::Update {
                        tree,
                        meta: object.remove(k::FRAME_META),
                        reference,
                    });
                }
                let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
                match object.get(k::FRAME_TYPE).and_then(Value::as_str) {
                    Some(k::TYPE_ERROR) => Ok(ServerFrame::Error {
                        code: text(k::FRAME_CODE).ok_or_else(frame_shape)?,
                        message: text(k::FRAME_MESSAGE).unwrap_or_default(),
                    }),
                    Some(k::TYPE_REDIRECT) => Ok(ServerFrame::Redirect {
                        to: text(k::FRAME_TO).ok_or_else(frame_shape)?,
                    }),
                    _ if object.get(k::FRAME_PONG) == Some(&Value::Bool(true)) => {
                        Ok(ServerFrame::Pong)
                    }
                    _ => Err(frame_shape()),
                }
            }
            _ => Err(frame_shape()),
        }
    }

    /// The `ref` an update answers, if any.
    pub fn reference(&self) -> Option<u64> {
        match self {
            ServerFrame::Update { reference, .. } => *reference,
            _ => None,
        }
    }

    /// The frame in the plain object form of the protocol (`{"tree":…,"meta":…,"ref":n}`,
    /// `{"type":"error",…}`, …), whichever envelope it came in: handy for assertions.
    pub fn to_object(&self) -> Value {
        let mut object = Map::new();
        match self {
            ServerFrame::Update {
                tree,
                meta,
                reference,
            } => {
                object.insert(k::FRAME_TREE.into(), tree.clone());
                if let Some(meta) = meta {
                    object.insert(k::FRAME_META.into(), meta.clone());
                }
                if let Some(reference) = reference {
                    object.insert(k::FRAME_REF.into(), Value::from(*reference));
                }
            }
            ServerFrame::Error { code, message } => {
                object.insert(k::FRAME_TYPE.into(), k::TYPE_ERROR.into());
                object.insert(k::FRAME_CODE.into(), code.as_str().into());
                object.insert(k::FRAME_MESSAGE.into(), message.as_str().into());
            }
            ServerFrame::Redirect { to } => {
                object.insert(k::FRAME_TYPE.into(), k::TYPE_REDIRECT.into());
                object.insert(k::FRAME_TO.into(), to.as_str().into());
            }
            ServerFrame::Pong => {
                object.insert(k::FRAME_PONG.into(), Value::Bool(true));
            }
        }
        Value::Object(object)
    }
}

// ---- shared helpers ----------------------------------------------------------------------

/// Where a value sits in the tree, for error messages; a chain on the stack.
#[derive(Debug, Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
    depth: usize,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

const ROOT: Path<'static> = Path {
    parent: None,
    segment: Segment::Root,
    depth: 0,
};

impl<'a> Path<'a> {
    fn key(&'a self, key: &'a str) -> Path<'a> {
        self.child(Segment::Key(key))
    }

    fn index(&'a self, index: usize) -> Path<'a> {
        self.child(Segment::Index(index))
    }

    fn child(&'a self, segment: Segment<'a>) -> Path<'a> {
        Path {
            parent: Some(self),
            segment,
            depth: self.depth + 1,
        }
    }

    fn check_depth(&self) -> Result<(), ApplyError> {
        if self.depth > MAX_DEPTH {
            return Err(ApplyError::TooDeep {
                path: self.to_string(),
            });
        }
        Ok(())
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            fmt::Display::fmt(parent, f)?;
        }
        match self.segment {
            Segment::Root => f.write_str("tree"),
            Segment::Key(key) => write!(f, ".{key}"),
            Segment::Index(index) => write!(f, "[{index}]"),
        }
    }
}

fn shape(path: &impl fmt::Display, expected: &'static str) -> ApplyError {
    ApplyError::Shape {
        path: path.to_string(),
        expected,
    }
}

fn missing_key(path: &impl fmt::Display, key: &str) -> ApplyError {
    ApplyError::MissingKey {
        path: path.to_string(),
        key: key.to_owned(),
    }
}

/// A slot key in canonical form (`"0"`, `"12"`; not `"01"`) as a number.
fn slot_index(key: &str) -> Option<usize> {
    let canonical = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if canonical { key.parse().ok() } else { None }
}

/// The strings of a statics array; `None` when it is not a non-empty array of strings.
fn statics_parts(value: &Value) -> Option<Vec<String>> {
    let Value::Array(parts) = value else {
        return None;
    };
    if parts.is_empty() {
        return None;
    }
    parts
        .iter()
        .map(|part| part.as_str().map(str::to_owned))
        .collect()
}

/// A JSON number as JavaScript's `String(n)` writes it.
fn number_text(number: &Number) -> String {
    const SAFE: u64 = 1 << 53;
    if let Some(n) = number.as_i64()
        && n.unsigned_abs() <= SAFE
    {
        return n.to_string();
    }
    if let Some(n) = number.as_u64()
        && n <= SAFE
    {
        return n.to_string();
    }
    match number.as_f64() {
        Some(n) => js_number(n),
        None => number.to_string(),
    }
}

fn js_number(n: f64) -> String {
    if n == 0.0 {
        return "0".to_owned();
    }
    if !n.is_finite() {
        let text = if n.is_nan() {
            "NaN"
        } else if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        };
        return text.to_owned();
    }
    if (1e-6..1e21).contains(&n.abs()) {
        return format!("{n}");
    }
    let text = format!("{n:e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if !exponent.starts_with('-') => {
            format!("{mantissa}e+{exponent}")
        }
        _ => text,
    }
}

fn has_statics(object: &Map<String, Value>) -> bool {
    object.contains_key(k::STATICS) || object.contains_key(k::FINGERPRINT)
}

// ---- our client --------------------------------------------------------------------------

type Statics = Arc<[String]>;

#[derive(Debug, Clone, Default)]
struct OurTree {
    root: Option<OurNode>,
    cache: HashMap<u64, Statics>,
}

#[derive(Debug, Clone)]
enum OurValue {
    Text(String),
    Node(OurNode),
    List(OurList),
}

#[derive(Debug, Clone)]
struct OurNode {
    statics: Statics,
    slots: Vec<OurValue>,
}

#[derive(Debug, Clone)]
struct OurList {
    statics: Statics,
    id_key: Option<usize>,
    items: Vec<OurItem>,
}

#[derive(Debug, Clone)]
struct OurItem {
    key: Option<String>,
    slots: Vec<OurValue>,
}

impl OurItem {
    /// `_k` when the item has one, else the text of the list's key slot.
    fn key(&self, id_key: Option<usize>) -> Option<&str> {
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
    fn apply(&mut self, tree: &Value) -> Result<(), ApplyError> {
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

    fn html(&self) -> Result<String, ApplyError> {
        let root = self.root.as_ref().ok_or(ApplyError::NoTree)?;
        let mut out = String::new();
        render(&root.statics, &root.slots, &mut out, &ROOT)?;
        Ok(out)
    }
}

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
fn statics(
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

fn node(
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
fn short_node(
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
fn id_key(meta: &Value, count: usize, path: &Path<'_>) -> Result<Option<usize>, ApplyError> {
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

fn item(
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
fn merge_slots(
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

const OP_SHAPES: &str = "an operation: [\"r\",key], [\"u\",key,changes], [\"i\",after,item], [\"a\",items,statics?,meta?], [\"p\",items,statics?] or [\"o\",keys]";

fn apply_ops(
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

// ---- @livetemplate/client 0.25 -----------------------------------------------------------

/// The JavaScript client's `treeState` (a plain JSON object) and `rangeIdKeys` (list path →
/// key slot). Paths are spelled as the JavaScript client spells its `statePath`: `"1"`, `"1.0"`,
/// and `"1.item.2"` for a list in slot 2 of an item of list 1.
#[derive(Debug, Clone, Default)]
struct LegacyTree {
    state: Map<String, Value>,
    id_keys: HashMap<String, String>,
}

impl LegacyTree {
    /// `applyUpdate`: each top-level key is merged on its own; the root itself is never
    /// replaced.
    fn apply(&mut self, tree: &Value) -> Result<(), ApplyError> {
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
    fn html(&self) -> Result<String, ApplyError> {
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
fn is_range(object: &Map<String, Value>) -> bool {
    matches!(object.get(k::ITEMS), Some(Value::Array(_)))
        && matches!(object.get(k::STATICS), Some(Value::Array(_)))
}

/// `/^\d+$/`.
fn is_numeric(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// JavaScript truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0 && !n.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `deepMergeTreeNodes`, in place.
fn deep_merge(
    existing: &mut Value,
    update: &Value,
    path: &str,
    depth: usize,
    id_keys: &mut HashMap<String, String>,
) -> Result<(), ApplyError> {
    if depth > MAX_DEPTH {
        return Err(ApplyError::TooDeep {
            path: path.to_owned(),
        });
    }
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
fn legacy_ops(
    range: &mut Map<String, Value>,
    ops: &Value,
    path: &str,
    depth: usize,
    id_keys: &mut HashMap<String, String>,
) -> Result<(), ApplyError> {
    if depth > MAX_DEPTH {
        return Err(ApplyError::TooDeep {
            path: path.to_owned(),
        });
    }
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

/// `reconstructFromTree` of a node with an `"s"` array: statics and slots interleaved, then
/// every `<root>` and `</root>` removed.
fn reconstruct(node: &Map<String, Value>, path: &str, depth: usize) -> Result<String, ApplyError> {
    if depth > MAX_DEPTH {
        return Err(ApplyError::TooDeep {
            path: path.to_owned(),
        });
    }
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
    if depth > MAX_DEPTH {
        return Err(ApplyError::TooDeep {
            path: path.to_owned(),
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn client(kind: ClientKind, frames: &[&str]) -> Result<String, ApplyError> {
        let mut client = ClientTree::new(kind);
        for frame in frames {
            client.apply(frame)?;
        }
        client.html()
    }

    fn both(frames: &[&str]) -> [Result<String, ApplyError>; 2] {
        [
            client(ClientKind::Livetemplate, frames),
            client(ClientKind::Legacy, frames),
        ]
    }

    const CART: &str = r#"{"s":["<h1>","</h1><ul>","</ul>"],"0":"Cart",
        "1":{"s":["<li data-key=\"","\">","</li>"],"d":[{"0":"p7","1":"Apples"}],"m":{"idKey":"0"}}}"#;

    #[test]
    fn short_forms() {
        let ours = |frames: &[&str]| client(ClientKind::Livetemplate, frames);
        let first = r#"{"s":["<div>","</div><ul>","</ul>"],"f":0,"0":{"s":["<b>","</b>"],"f":1,"0":7},
            "1":{"s":["<li id=\"","\">","</li>"],"f":2,"d":[[1,"a"],[2,"b"]],"m":{"idKey":"0"}}}"#;
        assert_eq!(
            ours(&[first]),
            Ok(r#"<div><b>7</b></div><ul><li id="1">a</li><li id="2">b</li></ul>"#.to_owned())
        );
        // A known table by position, empty text for nothing, numbered list operations with
        // whole-number keys.
        assert_eq!(
            ours(&[first, r#"{"0":""}"#, r#"{"0":[1,"x"],"1":[[0,1],[3,[3,"c"],[4,"d"]],[2,3,[5,"e"]],[1,2,{"1":"B"}],[4,[0,"z"]],[5,0,2,3,5,4]]}"#]),
            Ok(r#"<div><b>x</b></div><ul><li id="0">z</li><li id="2">B</li><li id="3">c</li><li id="5">e</li><li id="4">d</li></ul>"#.to_owned())
        );
        // Removes of several keys in one operation.
        assert_eq!(
            ours(&[first, r#"{"1":[[0,1,2]]}"#]),
            Ok("<div><b>7</b></div><ul></ul>".to_owned())
        );
        fn shape_at(path: &str) -> impl Fn(Result<String, ApplyError>) -> bool + '_ {
            move |result| matches!(result, Err(ApplyError::Shape { path: p, .. }) if p == path)
        }
        assert_eq!(
            ours(&[first, r#"{"0":[9,"x"]}"#]),
            Err(ApplyError::UnknownStatics {
                path: "tree.0".to_owned(),
                id: 9
            })
        );
        assert_eq!(
            ours(&[first, r#"{"0":[1]}"#]),
            Err(ApplyError::SlotCount {
                path: "tree.0".to_owned(),
                expected: 1,
                found: 0
            })
        );
        assert!(shape_at("tree.1[0]")(ours(&[first, r#"{"1":[[9,1]]}"#])));
        assert!(shape_at("tree.1[0]")(ours(&[first, r#"{"1":[[0]]}"#])));
        assert!(shape_at("tree.1[0]")(ours(&[
            first,
            r#"{"1":[[1,1.5,{}]]}"#
        ])));
        assert!(shape_at("tree.0")(ours(&[first, r#"{"0":[-1]}"#])));
        assert_eq!(
            ours(&[first, r#"{"1":[[0,8]]}"#]),
            Err(ApplyError::MissingKey {
                path: "tree.1[0]".to_owned(),
                key: "8".to_owned()
            })
        );
    }

    #[test]
    fn server_frames_in_both_envelopes() -> Result<(), ApplyError> {
        let tree = serde_json::json!({"0": 1});
        for (text, reference, meta) in [
            (r#"[{"0":1}]"#, None, None),
            (r#"[3,{"0":1}]"#, Some(3), None),
            (
                r#"[null,{"0":1},{"success":false}]"#,
                None,
                Some(serde_json::json!({"success": false})),
            ),
            (r#"{"tree":{"0":1},"ref":3}"#, Some(3), None),
        ] {
            assert_eq!(
                ServerFrame::parse(text)?,
                ServerFrame::Update {
                    tree: tree.clone(),
                    meta,
                    reference
                },
                "{text}"
            );
        }
        assert_eq!(
            ServerFrame::parse(r#"[3,{"0":1}]"#)?.to_object(),
            serde_json::json!({"tree": {"0": 1}, "ref": 3})
        );
        assert_eq!(ServerFrame::parse(r#"{"pong":true}"#)?, ServerFrame::Pong);
        assert_eq!(
            ServerFrame::parse(r#"{"type":"redirect","to":"/x"}"#)?,
            ServerFrame::Redirect { to: "/x".into() }
        );
        assert_eq!(
            ServerFrame::parse(r#"{"type":"error","code":"bad","message":"m"}"#)?,
            ServerFrame::Error {
                code: "bad".into(),
                message: "m".into()
            }
        );
        for bad in ["[]", "[1,2,3,4]", r#"["x",{}]"#, "{}", "7", "{"] {
            assert!(ServerFrame::parse(bad).is_err(), "{bad}");
        }
        Ok(())
    }

    #[test]
    fn first_frame_and_text_update() {
        for html in both(&[CART, r#"{"0":"My cart"}"#]) {
            assert_eq!(
                html,
                Ok("<h1>My cart</h1><ul><li data-key=\"p7\">Apples</li></ul>".to_owned())
            );
        }
    }

    #[test]
    fn updates_apply_in_slot_order_not_string_order() {
        // Slot 2 teaches table 5; slot 10 (after it in slot order, before it as a string)
        // names it.
        let first = r#"{"s":["","","","","","","","","","","",""],"f":0,
            "0":"","1":"","2":"","3":"","4":"","5":"","6":"","7":"","8":"","9":"","10":""}"#;
        let update = r#"{"2":{"s":["<b>","</b>"],"f":5,"0":"x"},"10":{"f":5,"0":"y"}}"#;
        assert_eq!(
            client(ClientKind::Livetemplate, &[first, update]),
            Ok("<b>x</b><b>y</b>".to_owned())
        );
    }

    #[test]
    fn numbers_and_bools_are_text() {
        let frame =
            r#"{"s":["","|","|","|","|",""],"0":42,"1":true,"2":1.5,"3":1e21,"4":-0.0000001}"#;
        for html in both(&[frame]) {
            assert_eq!(html, Ok("42|true|1.5|1e+21|-1e-7".to_owned()));
        }
    }

    #[test]
    fn list_operations_in_order() {
        let ops = r#"{"1":[["r","p7"],["a",[{"0":"p9","1":"Kiwis"}]],["p",[{"0":"p1","1":"Figs"}]],
            ["i","p1",{"0":"p2","1":"Dates"}],["u","p9",{"1":"Limes"}],["o",["p9","p1","p2"]]]}"#;
        for html in both(&[CART, ops]) {
            assert_eq!(
                html,
                Ok("<h1>Cart</h1><ul><li data-key=\"p9\">Limes</li><li data-key=\"p1\">Figs</li><li data-key=\"p2\">Dates</li></ul>".to_owned())
            );
        }
    }

    #[test]
    fn items_keyed_by_k() {
        let first = r#"{"s":["<p>","</p>"],"0":{"s":["<b>","</b>"],"d":[{"0":"x","_k":"0"},{"0":"y","_k":"1"}]}}"#;
        let update = r#"{"0":[["r","1"],["u","0",{"0":"z"}],["a",[{"0":"w","_k":"1"}]]]}"#;
        for html in both(&[first, update]) {
            assert_eq!(html, Ok("<p><b>z</b><b>w</b></p>".to_owned()));
        }
    }

    #[test]
    fn statics_cache_by_f() {
        let first = r#"{"s":["<div>","</div>"],"f":0,"0":{"s":["<b>","</b>"],"f":1,"0":"a"}}"#;
        let flip = r#"{"0":{"s":["<i>","</i>"],"f":2,"0":"b"}}"#;
        let back = r#"{"0":{"f":1,"0":"c"}}"#;
        assert_eq!(
            client(ClientKind::Livetemplate, &[first, flip, back]),
            Ok("<div><b>c</b></div>".to_owned())
        );
        assert_eq!(
            client(
                ClientKind::Livetemplate,
                &[first, r#"{"0":{"f":9,"0":"c"}}"#]
            ),
            Err(ApplyError::UnknownStatics {
                path: "tree.0".to_owned(),
                id: 9
            })
        );
        // The existing client ignores "f": it merges the slots into the node it holds.
        assert_eq!(
            client(ClientKind::Legacy, &[first, flip, back]),
            Ok("<div><i>c</i></div>".to_owned())
        );
    }

    #[test]
    fn replaced_node_drops_old_slots() {
        let first = r#"{"s":["<div>","</div>"],"0":{"s":["<b>","|","</b>"],"0":"a","1":"b"}}"#;
        let flip = r#"{"0":{"s":["<i>","</i>"],"0":"c"}}"#;
        for html in both(&[first, flip]) {
            assert_eq!(html, Ok("<div><i>c</i></div>".to_owned()));
        }
    }

    #[test]
    fn errors() {
        type Case = (&'static [&'static str], fn(&ApplyError) -> bool);
        let cases: &[Case] = &[
            (&["{"], |e| matches!(e, ApplyError::Json(_))),
            (&[r#"{"0":"x"}"#], |e| *e == ApplyError::NoTree),
            (
                &[CART, r#"{"1":[["r","nope"]]}"#],
                |e| matches!(e, ApplyError::MissingKey { key, .. } if key == "nope"),
            ),
            (&[CART, r#"{"1":[["x"]]}"#], |e| {
                matches!(e, ApplyError::Shape { .. })
            }),
            (&[CART, r#"{"0":[["r","p7"]]}"#], |e| {
                matches!(e, ApplyError::Shape { .. })
            }),
            (&[r#"{"s":["a","b"]}"#], |e| {
                matches!(
                    e,
                    ApplyError::SlotCount {
                        expected: 1,
                        found: 0,
                        ..
                    }
                )
            }),
        ];
        for (frames, expected) in cases {
            for result in both(frames) {
                match result {
                    Err(err) => {
                        assert!(expected(&err), "{frames:?}: unexpected error {err}");
                        assert!(!err.to_string().is_empty());
                    }
                    Ok(html) => panic!("{frames:?}: expected an error, got {html:?}"),
                }
            }
        }
    }

    #[test]
    fn slots_past_the_last_one() {
        let update = r#"{"1":[["u","p7",{"5":"x"}]]}"#;
        assert_eq!(
            client(ClientKind::Livetemplate, &[CART, update]),
            Err(ApplyError::UnknownKey {
                path: "tree.1[0]".to_owned(),
                key: "5".to_owned()
            })
        );
        // The existing client merges the stray slot in and never renders it.
        assert_eq!(
            client(ClientKind::Legacy, &[CART, update]),
            Ok("<h1>Cart</h1><ul><li data-key=\"p7\">Apples</li></ul>".to_owned())
        );
    }

    #[test]
    fn bad_frame_changes_nothing() {
        for kind in [ClientKind::Livetemplate, ClientKind::Legacy] {
            let mut client = ClientTree::new(kind);
            assert!(client.apply(CART).is_ok());
            assert!(
                client
                    .apply(r#"{"0":"x","1":[["r","p7"],["r","p7"]]}"#)
                    .is_err()
            );
            assert_eq!(
                client.html(),
                Ok("<h1>Cart</h1><ul><li data-key=\"p7\">Apples</li></ul>".to_owned())
            );
        }
    }

    #[test]
    fn depth_is_limited() {
        let mut deep = String::from("\"x\"");
        for _ in 0..(MAX_DEPTH + 2) {
            deep = format!(r#"{{"s":["",""],"0":{deep}}}"#);
        }
        for result in both(&[&deep]) {
            assert!(
                matches!(
                    result,
                    Err(ApplyError::TooDeep { .. } | ApplyError::Json(_))
                ),
                "{result:?}"
            );
        }
    }

    #[test]
    fn legacy_quirks() {
        // Text that looks like a Go template action renders as nothing.
        let frame = r#"{"s":["<p>","</p>"],"0":"{{ name }}"}"#;
        assert_eq!(
            client(ClientKind::Legacy, &[frame]),
            Ok("<p></p>".to_owned())
        );
        assert_eq!(
            client(ClientKind::Livetemplate, &[frame]),
            Ok("<p>{{ name }}</p>".to_owned())
        );
        // A list replaced by a node holding a list is merged, not replaced: the old "d" stays
        // and the result still renders as the old list.
        let first = r#"{"s":["<div>","</div>"],"0":{"s":["",""],"0":{"s":["<i>","</i>"],"d":[{"0":"a","_k":"0"}]}}}"#;
        let flip = r#"{"0":{"s":["<p>","</p>"],"0":{"s":["",""],"0":{"s":["<b>","</b>"],"d":[{"0":"b","_k":"0"}]}}}}"#;
        assert_eq!(
            client(ClientKind::Livetemplate, &[first, flip]),
            Ok("<div><p><b>b</b></p></div>".to_owned())
        );
        assert_ne!(
            client(ClientKind::Legacy, &[first, flip]),
            Ok("<div><p><b>b</b></p></div>".to_owned())
        );
    }

    #[test]
    fn html_size_is_limited() {
        let big = "x".repeat(1 << 20);
        let refs: Vec<String> = (0..40).map(|i| format!(r#""{i}":{{"f":1}}"#)).collect();
        let gaps = vec!["\"\""; 41].join(",");
        let frame = format!(
            r#"{{"s":[{gaps}],"f":0,"0":{{"s":["{big}"],"f":1}},{}}}"#,
            refs[1..].join(",")
        );
        let mut client = ClientTree::new(ClientKind::Livetemplate);
        assert_eq!(client.apply(&frame), Ok(()));
        assert_eq!(client.html(), Err(ApplyError::TooLarge));
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "",
            "null",
            "[]",
            "[[\"r\"]]",
            "{\"s\":[]}",
            "{\"s\":\"x\"}",
            "{\"s\":[1]}",
            "{\"f\":-1}",
            "{\"f\":0}",
            "{\"s\":[\"\",\"\"],\"0\":{\"s\":[\"\"],\"d\":\"x\"}}",
            "{\"s\":[\"\",\"\"],\"0\":{\"s\":[\"\"],\"d\":[1],\"m\":{\"idKey\":\"9\"}}}",
            "{\"s\":[\"\",\"\"],\"0\":{\"s\":[\"\",\"\"],\"d\":[{\"0\":\"a\"}],\"m\":{\"idKey\":\"0\"}}}",
            "{\"0\":[[\"o\",[\"a\",\"a\"]]]}",
            "{\"0\":[[\"a\",[{}],[\"x\",\"y\",\"z\"]]]}",
            "{\"0\":[[\"i\",\"a\",[{\"0\":1}]],[\"p\",{}],[\"u\",\"a\",null]]}",
            "{\"0\":{\"0\":{\"0\":null}}}",
            "{\"0\":[[1,2]]}",
            "{\"01\":\"x\",\"18446744073709551616\":1}",
        ];
        for kind in [ClientKind::Livetemplate, ClientKind::Legacy] {
            let mut client = ClientTree::new(kind);
            for input in inputs {
                let _ = client.apply(input);
                let _ = client.html();
            }
        }
    }
}

//! The reference client in Rust: applies frames to a cached JSON tree and renders its HTML.
//!
//! [`ClientTree`] holds what a browser client holds for one connection: the tree of the last
//! frame, with every update merged in. Feeding it the `"tree"` value of each frame an
//! [`Encoder`](crate::Encoder) writes and comparing [`ClientTree::html`] with the server's
//! own render is how the tests check that a connection's page stays right, frame after frame.
//!
//! The applier is also a fuzz target. No input makes it panic, and its work is bounded by the
//! input: nesting beyond [`ClientTree::MAX_DEPTH`] is an error, and each frame is applied to a
//! copy that replaces the tree only when the whole frame applied (a bad frame changes
//! nothing).
//!
//! The files: `error` (why a frame does not apply), `frame` (a server frame in either
//! envelope), `path` (where in the tree, for messages), `values` (JSON values as the
//! JavaScript client reads them), `ours` (our client's tree model, its patches and list
//! operations) and `legacy` (the `@livetemplate/client` model).

mod error;
mod frame;
mod legacy;
mod ours;
mod path;
mod values;

#[cfg(test)]
mod tests;

pub use error::ApplyError;
pub use frame::ServerFrame;

use serde_json::Value;

use crate::wire::ClientKind;
use legacy::LegacyTree;
use ours::OurTree;

/// The deepest nesting a frame may reach ([`ClientTree::MAX_DEPTH`]).
const MAX_DEPTH: usize = 64;

/// The largest HTML [`ClientTree::html`] renders ([`ClientTree::MAX_HTML`]).
const MAX_HTML: usize = 32 << 20;

/// What a browser client holds for one connection: the merged tree of every frame so far.
///
/// There are two models, one per [`ClientKind`]:
///
/// - [`ClientKind::Livetemplate`], our client: the rules of the protocol (`docs/src/protocol.md`), strictly. A value
///   carrying `"s"` or `"f"` is a whole subtree and replaces what the slot held; any other
///   object merges changed slots into the node there; an array is list operations on the list
///   there. Statics are cached by their `"f"` id whenever `"f"` comes with `"s"`, and a subtree
///   with `"f"` but no `"s"` takes its statics from that cache. It also reads the short forms
///   the encoder writes for our client (see [`Encoder`](crate::wire::Encoder)): whole numbers as
///   text, `[id, slots…]` nodes, positional items and numbered list operations.
/// - [`ClientKind::Legacy`], `@livetemplate/client` 0.25 (its `state/tree-renderer.js`): it
///   ignores `"f"`, deep-merges every object into what it holds unless its
///   `shouldFullReplace` rules say otherwise (so keys the update lacks, such as a list's `"d"`,
///   can survive a change of statics), renders any object with `"d"` and `"s"` arrays as a list,
///   names items by `_k` or by the `idKey` it last registered for the list's path, renders a
///   text slot that starts with `{{` and ends with `}}` as nothing, and strips `<root>` and
///   `</root>` from every node's HTML.
///
/// Where the JavaScript client silently skips something (an operation naming a key no item
/// has, a slot missing from a node, a partial update for a slot that holds no node), both
/// models return an [`ApplyError`] instead: the page would be wrong either way.
///
/// ```
/// use livetemplate::wire::ClientKind;
/// use livetemplate::testing::ClientTree;
///
/// let mut client = ClientTree::new(ClientKind::Livetemplate);
/// client.apply(r#"{"s":["<p>","</p>"],"f":0,"0":"one"}"#)?;
/// client.apply(r#"{"0":"two"}"#)?;
/// assert_eq!(client.html()?, "<p>two</p>");
/// # Ok::<(), livetemplate::testing::ApplyError>(())
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
    /// The deepest nesting a frame may reach: each slot, list item and list operation is a
    /// level.
    pub const MAX_DEPTH: usize = MAX_DEPTH;

    /// The largest HTML [`html`](Self::html) renders, in bytes. Statics named by `"f"` are not
    /// repeated on the wire, so a small frame can stand for a large page; this bounds the work
    /// per frame.
    pub const MAX_HTML: usize = MAX_HTML;

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

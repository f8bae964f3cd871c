// Every wire key, op name and frame key of PROTOCOL.md, spelled once (mirrors
// livetemplate/src/wire/keys.rs and the op names of encode.rs; both test suites read the same
// golden files in testdata/wire).

// ---- tree keys ------------------------------------------------------------------------------

/** A node's statics: `{"s": ["<p>", "</p>"], "0": "text"}`. */
export const STATICS = "s";
/** A list's items: `{"s": [...], "d": [{"0": ...}, ...]}`. */
export const ITEMS = "d";
/** A list's metadata object: `{"m": {"idKey": "0"}}`. */
export const META = "m";
/** In a list's metadata: the slot holding each item's key. */
export const ID_KEY = "idKey";
/** An item's own key, when it is not in a slot. */
export const ITEM_KEY = "_k";
/** A statics table's id on this connection: our client caches statics by it. */
export const FINGERPRINT = "f";

// ---- list operations (`["r", key]`, …), applied in the order given -------------------------

/** `["r", key]`: drop the item with that key. */
export const OP_REMOVE = "r";
/** `["u", key, changes]`: merge changed slots into that item. */
export const OP_UPDATE = "u";
/** `["i", afterKey, item]`: insert one item after `afterKey`. */
export const OP_INSERT = "i";
/** `["a", [items], statics?, meta?]`: add items at the end. */
export const OP_APPEND = "a";
/** `["p", [items], statics?]`: add items at the start. */
export const OP_PREPEND = "p";
/** `["o", [keys]]`: permute; keys left out are dropped. */
export const OP_REORDER = "o";

// ---- server → client frames -----------------------------------------------------------------

/** An update frame's tree (whole or changes). */
export const FRAME_TREE = "tree";
/** An update frame's `{success, errors, action}`. */
export const FRAME_META = "meta";
/** **ext**: echoes the `ref` of the client message that caused the frame. */
export const FRAME_REF = "ref";
/** A frame's type, when it is not an update: `"error"`, `"redirect"`. */
export const FRAME_TYPE = "type";
/** The heartbeat reply: `{"pong": true}`. */
export const FRAME_PONG = "pong";
/** An error frame's required code. */
export const FRAME_CODE = "code";
/** An error frame's message. */
export const FRAME_MESSAGE = "message";
/** **ext**: a redirect frame's target path. */
export const FRAME_TO = "to";

/** `"type"` of an error frame. */
export const TYPE_ERROR = "error";
/** **ext**: `"type"` of a redirect frame. */
export const TYPE_REDIRECT = "redirect";

/** In `meta`: whether the action succeeded. */
export const META_SUCCESS = "success";
/** In `meta`: field → message. */
export const META_ERRORS = "errors";
/** In `meta`: the action that ran. */
export const META_ACTION = "action";
/** In the first frame's `meta`: what the controller supports (`"change"`). */
export const META_CAPABILITIES = "capabilities";

// ---- client → server frames -----------------------------------------------------------------

/** The action's name. */
export const MSG_ACTION = "action";
/** The action's data (form fields or element data); may be missing. */
export const MSG_DATA = "data";
/** The name of the submit button that submitted a form. */
export const MSG_SUBMITTER = "submitter";
/** **ext**: a number the server echoes in the frame that answers. */
export const MSG_REF = "ref";

/** Reserved action: heartbeat, answered by a pong. */
export const ACTION_PING = "__ping__";
/** Reserved action: the query string changed. */
export const ACTION_NAVIGATE = "__navigate__";
/** Reserved action: live validation of one field (only with the `change` capability). */
export const ACTION_CHANGE = "change";
/** The action of a form submitted with no other name. */
export const ACTION_SUBMIT = "submit";

// ---- limits (as livetemplate/src/wire/apply.rs) ---------------------------------------------

/** The deepest nesting a frame may reach: each slot, list item and list operation is a level. */
export const MAX_DEPTH = 64;
/** The longest HTML the tree renders (counted in UTF-16 code units, not UTF-8 bytes). */
export const MAX_HTML = 32 * 1024 * 1024;

// ---- build ------------------------------------------------------------------------------------

/**
 * Whether errors carry the Rust client's paths, details and messages (`ApplyError`). The bundle
 * is built with `--define:globalThis.LVT_DEV=false`: there an error is only its kind, and a
 * path only its depth. (Here, in a module without imports, so that esbuild inlines it everywhere
 * and drops the rest.)
 */
export const DEV = /** @type {boolean} */ (/** @type {any} */ (globalThis).LVT_DEV ?? true);

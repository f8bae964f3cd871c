//! Every name and code of the wire protocol, spelled once for the Rust side.
//!
//! The normative text is the book's protocol page, `docs/src/protocol.md`; each constant here
//! is a row of one of its tables ("Names in code" lists them all). The browser client spells
//! the same names in `livetemplate-client/src/constants.js`, and `tests/tests/protocol_spec.rs`
//! fails when this file, that one and the page's tables disagree on any name or value. So:
//! one constant per line, `pub(crate) const NAME: type = literal;`, and a new key goes into all
//! three.
//!
//! Keys are plain ASCII with nothing to escape in JSON: [`json::key`](super::json::key)
//! writes them as they are.

// ---- tree keys (docs/src/protocol.md, "Tree keys") --------------------------------------------

/// A node's statics: `{"s": ["<p>", "</p>"], "0": "text"}`.
pub(crate) const STATICS: &str = "s";
/// A list's items: `{"s": […], "d": [{"0": …}, …]}`.
pub(crate) const ITEMS: &str = "d";
/// A list's metadata object: `{"m": {"idKey": "0"}}`.
pub(crate) const LIST_META: &str = "m";
/// In a list's metadata: the slot holding each item's key.
pub(crate) const ID_KEY: &str = "idKey";
/// An item's own key, when it is not in a slot.
pub(crate) const ITEM_KEY: &str = "_k";
/// A statics table's id on this connection (our client's cache; others ignore it).
pub(crate) const FINGERPRINT: &str = "f";
/// What the existing client renders for an empty list; our server never sends it (only the
/// reference client of the `testing` feature reads it).
#[cfg_attr(not(feature = "testing"), allow(dead_code))]
pub(crate) const ELSE: &str = "else";

// ---- list operations (docs/src/protocol.md, "List operations") --------------------------------

/// `["r", key]`: drop the item with that key.
pub(crate) const OP_REMOVE: &str = "r";
/// `["u", key, changes]`: merge changed slots into that item.
pub(crate) const OP_UPDATE: &str = "u";
/// `["i", afterKey, item]`: insert one item after `afterKey`.
pub(crate) const OP_INSERT: &str = "i";
/// `["a", [items], statics?, meta?]`: add items at the end.
pub(crate) const OP_APPEND: &str = "a";
/// `["p", [items], statics?]`: add items at the start.
pub(crate) const OP_PREPEND: &str = "p";
/// `["o", [keys]]`: put the items in this order; keys left out are dropped.
pub(crate) const OP_REORDER: &str = "o";

/// Short form of remove: `[0, key, key, …]`.
pub(crate) const CODE_REMOVE: u8 = 0;
/// Short form of update: `[1, key, changes]`.
pub(crate) const CODE_UPDATE: u8 = 1;
/// Short form of insert: `[2, afterKey, item]`.
pub(crate) const CODE_INSERT: u8 = 2;
/// Short form of append: `[3, item, item, …]`.
pub(crate) const CODE_APPEND: u8 = 3;
/// Short form of prepend: `[4, item, item, …]`.
pub(crate) const CODE_PREPEND: u8 = 4;
/// Short form of reorder: `[5, key, key, …]`.
pub(crate) const CODE_REORDER: u8 = 5;

// ---- server → client frames (docs/src/protocol.md, "Frame keys") ------------------------------

/// An update frame's tree (whole or changes).
pub(crate) const FRAME_TREE: &str = "tree";
/// An update frame's outcome of the action: `{success, errors, action, …}`.
pub(crate) const FRAME_META: &str = "meta";
/// The `ref` of the client message an update answers (an extension).
pub(crate) const FRAME_REF: &str = "ref";
/// A frame's type, when it is not an update.
pub(crate) const FRAME_TYPE: &str = "type";
/// The heartbeat reply: `{"pong": true}`.
pub(crate) const FRAME_PONG: &str = "pong";
/// An error frame's machine code.
pub(crate) const FRAME_CODE: &str = "code";
/// An error frame's human message.
pub(crate) const FRAME_MESSAGE: &str = "message";
/// A redirect frame's target path (an extension).
pub(crate) const FRAME_TO: &str = "to";

/// `"type"` of an error frame.
pub(crate) const TYPE_ERROR: &str = "error";
/// `"type"` of a redirect frame (an extension).
pub(crate) const TYPE_REDIRECT: &str = "redirect";

// ---- meta (docs/src/protocol.md, "Meta keys") --------------------------------------------------

/// In `meta`: whether the action succeeded.
pub(crate) const META_SUCCESS: &str = "success";
/// In `meta`: field name → message.
pub(crate) const META_ERRORS: &str = "errors";
/// In `meta`: the action that ran.
pub(crate) const META_ACTION: &str = "action";
/// In `meta`: flash messages (an extension).
pub(crate) const META_FLASH: &str = "flash";
/// In the first frame's `meta`: what the controller supports beyond plain actions.
pub(crate) const META_CAPABILITIES: &str = "capabilities";
/// In `meta.errors`: the key of an error that belongs to no field.
pub(crate) const GENERAL_ERROR: &str = "_";
/// In a flash message: its kind.
pub(crate) const FLASH_KIND: &str = "kind";
/// In a flash message: its text.
pub(crate) const FLASH_MESSAGE: &str = "message";
/// A flash message's kind: information.
pub(crate) const FLASH_INFO: &str = "info";
/// A flash message's kind: an error.
pub(crate) const FLASH_ERROR: &str = "error";

// ---- client → server messages (docs/src/protocol.md, "Message keys") --------------------------

/// The action's name.
pub(crate) const MSG_ACTION: &str = "action";
/// The action's data (form fields or element data); may be missing.
pub(crate) const MSG_DATA: &str = "data";
/// The name of the button that submitted a form.
pub(crate) const MSG_SUBMITTER: &str = "submitter";
/// A number the server echoes in the frame that answers (an extension).
pub(crate) const MSG_REF: &str = "ref";

/// Reserved action: the heartbeat, answered by a pong.
pub(crate) const ACTION_PING: &str = "__ping__";
/// Reserved action: the page's query string changed.
pub(crate) const ACTION_NAVIGATE: &str = "__navigate__";
/// Reserved action, and capability: live validation of one field.
pub(crate) const ACTION_CHANGE: &str = "change";
/// The action of a form submitted with no other name.
pub(crate) const ACTION_SUBMIT: &str = "submit";

// ---- error codes (docs/src/protocol.md, "Error codes") ----------------------------------------

/// The message is not JSON.
pub(crate) const ERR_INVALID_JSON: &str = "invalid_json";
/// The message is JSON but not an object.
pub(crate) const ERR_NOT_AN_OBJECT: &str = "not_an_object";
/// The message is over the size limit.
pub(crate) const ERR_FRAME_TOO_LARGE: &str = "frame_too_large";
/// The message nests too deep.
pub(crate) const ERR_TOO_DEEP: &str = "too_deep";
/// `data` holds too many values.
pub(crate) const ERR_TOO_MANY_FIELDS: &str = "too_many_fields";
/// The message names no action.
pub(crate) const ERR_MISSING_ACTION: &str = "missing_action";
/// An action or submitter name is not acceptable.
pub(crate) const ERR_INVALID_ACTION: &str = "invalid_action";
/// A member of the message has the wrong JSON type.
pub(crate) const ERR_WRONG_TYPE: &str = "wrong_type";
/// The action names nothing the controller can run.
pub(crate) const ERR_UNKNOWN_ACTION: &str = "unknown_action";
/// Too many actions per second from this session (all its transports together).
pub(crate) const ERR_RATE_LIMITED: &str = "rate_limited";
/// A binary WebSocket message.
pub(crate) const ERR_BINARY_FRAME: &str = "binary_frame";
/// The controller's `on_connect` failed; the socket closes.
pub(crate) const ERR_CONNECT_FAILED: &str = "connect_failed";
/// A route guard refused the request (a JSON `GET` or `POST` of a guarded route).
pub(crate) const ERR_REFUSED: &str = "refused";

// ---- WebSocket close codes (docs/src/protocol.md, "Close codes") ------------------------------

/// The server shuts down, or the socket was silent too long (RFC 6455 "going away").
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;
/// A framing violation: a reserved opcode or bit, an unmasked or malformed frame (RFC 6455
/// "protocol error").
pub(crate) const CLOSE_PROTOCOL_ERROR: u16 = 1002;
/// A text message that is not UTF-8 (RFC 6455 "invalid frame payload data").
pub(crate) const CLOSE_INVALID_PAYLOAD: u16 = 1007;
/// A message over the size limit (RFC 6455 "message too big").
pub(crate) const CLOSE_MESSAGE_TOO_BIG: u16 = 1009;
/// The tab can no longer be kept up to date (RFC 6455 "try again later").
pub(crate) const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

// ---- HTTP (docs/src/protocol.md, "HTTP names") ------------------------------------------------

/// The query parameter with which our client announces the extensions it reads (`?_lvt=1`).
pub(crate) const CLIENT_PARAM: &str = "_lvt";
/// The query parameter of the one-time URL that gives a tab the new session cookie after
/// `ctx.rotate_session()` on its live connection (`?_lvt_rotate=<token>`).
pub(crate) const ROTATE_PARAM: &str = "_lvt_rotate";
/// The attribute of the live region's wrapper element; its value is the region's id.
pub(crate) const REGION_ATTR: &str = "data-lvt-id";
/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "livetemplate-id";
/// The session cookie with `Config::host_cookie`: browsers keep it only from https, with
/// `Secure`, `Path=/` and no `Domain`.
pub(crate) const SESSION_COOKIE_HOST: &str = "__Host-livetemplate-id";
/// The header of the answer to `HEAD` (header names are case-insensitive).
pub(crate) const PROBE_HEADER: &str = "x-livetemplate-websocket";
/// Its value: the live route takes WebSocket upgrades.
pub(crate) const PROBE_ENABLED: &str = "enabled";
/// The hidden field with the session's CSRF token in a plain form POST.
pub(crate) const CSRF_FIELD: &str = "_lvt_csrf";
/// The hidden field with the form's own action in a plain form POST.
pub(crate) const ACTION_FIELD: &str = "_lvt_action";
/// The hidden field with the form's `name` in a plain form POST (a pressed button wins over it).
pub(crate) const FORM_FIELD: &str = "_lvt_form";
/// The cookie that carries a plain POST's flash messages to the next page load.
pub(crate) const FLASH_COOKIE: &str = "livetemplate-flash";
/// The data key of a clicked button's (or other element's) value, on every transport.
pub(crate) const BUTTON_VALUE: &str = "value";

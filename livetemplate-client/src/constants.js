// Every name and code of the wire protocol, spelled once for the client. The normative text is
// the book's protocol page (docs/src/protocol.md); each constant is a row of one of its tables.
// The Rust side spells the same names in livetemplate/src/wire/keys.rs, and
// tests/tests/protocol_spec.rs fails when that file, this one and the page's tables disagree:
// one `export const NAME = literal;` per name, and a new key goes into all three. Constants the
// client does not use cost nothing: the bundle keeps only what it imports.

// ---- tree keys ("Tree keys") -----------------------------------------------------------------

/** A node's statics: `{"s": ["<p>", "</p>"], "0": "text"}`. */
export const STATICS = "s";
/** A list's items: `{"s": [...], "d": [{"0": ...}, ...]}`. */
export const ITEMS = "d";
/** A list's metadata object: `{"m": {"idKey": "0"}}`. */
export const LIST_META = "m";
/** In a list's metadata: the slot holding each item's key. */
export const ID_KEY = "idKey";
/** An item's own key, when it is not in a slot. */
export const ITEM_KEY = "_k";
/** A statics table's id on this connection: our client caches statics by it. */
export const FINGERPRINT = "f";
/** What the existing client renders for an empty list; our server never sends it. */
export const ELSE = "else";

// ---- list operations ("List operations"), applied in the order given -------------------------

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

/** Short form of remove: `[0, key, key, …]`. */
export const CODE_REMOVE = 0;
/** Short form of update: `[1, key, changes]`. */
export const CODE_UPDATE = 1;
/** Short form of insert: `[2, afterKey, item]`. */
export const CODE_INSERT = 2;
/** Short form of append: `[3, item, item, …]`. */
export const CODE_APPEND = 3;
/** Short form of prepend: `[4, item, item, …]`. */
export const CODE_PREPEND = 4;
/** Short form of reorder: `[5, key, key, …]`. */
export const CODE_REORDER = 5;

// ---- server → client frames ("Frame keys") ---------------------------------------------------

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

// ---- meta ("Meta keys") ----------------------------------------------------------------------

/** In `meta`: whether the action succeeded. */
export const META_SUCCESS = "success";
/** In `meta`: field → message. */
export const META_ERRORS = "errors";
/** In `meta`: the action that ran. */
export const META_ACTION = "action";
/** **ext**: in `meta`, flash messages `[{kind, message}]`. */
export const META_FLASH = "flash";
/** In the first frame's `meta`: what the controller supports (`"change"`). */
export const META_CAPABILITIES = "capabilities";
/** In `meta.errors`: the key of an error that belongs to no field. */
export const GENERAL_ERROR = "_";
/** In a flash message: its kind. */
export const FLASH_KIND = "kind";
/** In a flash message: its text. */
export const FLASH_MESSAGE = "message";
/** A flash message's kind: information. */
export const FLASH_INFO = "info";
/** A flash message's kind: an error. */
export const FLASH_ERROR = "error";

// ---- client → server messages ("Message keys") -----------------------------------------------

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
/** Reserved action, and capability: live validation of one field. */
export const ACTION_CHANGE = "change";
/** The action of a form submitted with no other name. */
export const ACTION_SUBMIT = "submit";

// ---- error codes ("Error codes"): `code` of an error frame -----------------------------------

/** The message is not JSON. */
export const ERR_INVALID_JSON = "invalid_json";
/** The message is JSON but not an object. */
export const ERR_NOT_AN_OBJECT = "not_an_object";
/** The message is over the size limit (the socket then closes with 1009). */
export const ERR_FRAME_TOO_LARGE = "frame_too_large";
/** The message nests too deep. */
export const ERR_TOO_DEEP = "too_deep";
/** `data` holds too many values. */
export const ERR_TOO_MANY_FIELDS = "too_many_fields";
/** The message names no action. */
export const ERR_MISSING_ACTION = "missing_action";
/** An action or submitter name is not acceptable. */
export const ERR_INVALID_ACTION = "invalid_action";
/** A member of the message has the wrong JSON type. */
export const ERR_WRONG_TYPE = "wrong_type";
/** The action names nothing the controller can run. */
export const ERR_UNKNOWN_ACTION = "unknown_action";
/** Too many actions per second on this connection. */
export const ERR_RATE_LIMITED = "rate_limited";
/** A binary WebSocket message. */
export const ERR_BINARY_FRAME = "binary_frame";
/** The controller's `on_connect` failed; the socket closes. */
export const ERR_CONNECT_FAILED = "connect_failed";
/** A route guard refused the request (a JSON `GET` or `POST` of a guarded route). */
export const ERR_REFUSED = "refused";

// ---- WebSocket close codes ("Close codes") ---------------------------------------------------

/** The server shuts down, or the socket was silent too long. */
export const CLOSE_GOING_AWAY = 1001;
/** A framing violation (reserved opcode or bit, malformed frame). */
export const CLOSE_PROTOCOL_ERROR = 1002;
/** A text message that is not UTF-8. */
export const CLOSE_INVALID_PAYLOAD = 1007;
/** A message over the size limit. */
export const CLOSE_MESSAGE_TOO_BIG = 1009;
/** The tab can no longer be kept up to date. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

// ---- HTTP ("HTTP names") ---------------------------------------------------------------------

/** The query parameter that announces our client (its extensions: short forms, `ref`, redirect, flash). */
export const CLIENT_PARAM = "_lvt";
/** The query parameter of the one-time URL a redirect frame sends a tab to after the server
 * rotated its session (the `GET` sets the new cookie); the client only follows the frame. */
export const ROTATE_PARAM = "_lvt_rotate";
/** The attribute of a live region's element; its value is the region's id. */
export const REGION_ATTR = "data-lvt-id";
/** The session cookie (HttpOnly: scripts never see it). */
export const SESSION_COOKIE = "livetemplate-id";
/** The session cookie with `Config::host_cookie` (https only; HttpOnly as well). */
export const SESSION_COOKIE_HOST = "__Host-livetemplate-id";
/** The header of the answer to `HEAD`. */
export const PROBE_HEADER = "x-livetemplate-websocket";
/** Its value: the live route takes WebSocket upgrades. */
export const PROBE_ENABLED = "enabled";
/** The hidden field with the session's CSRF token in a plain form POST. */
export const CSRF_FIELD = "_lvt_csrf";
/** The hidden field with the form's own action in a plain form POST. */
export const ACTION_FIELD = "_lvt_action";
/** The hidden field with the form's `name` in a plain form POST (a pressed button wins). */
export const FORM_FIELD = "_lvt_form";
/** The cookie that carries a plain POST's flash messages to the next page load. */
export const FLASH_COOKIE = "livetemplate-flash";
/** The data key of a clicked button's (or other element's) value, on every transport. */
export const BUTTON_VALUE = "value";

// ---- limits of the tree cache (as livetemplate/src/testing/client/; "Limits") -------------------

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

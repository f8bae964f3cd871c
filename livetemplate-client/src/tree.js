// The tree cache's data types, the statics cache, and building whole values of a frame (a
// subtree with "s" or "f", or a node in short form) into them, validated on the way.

import { DEV, FINGERPRINT, ID_KEY, ITEM_KEY, ITEMS, META, STATICS } from "./constants.js";
import { ApplyError, checkDepth, child, shape, slotCount, unknownKey } from "./errors.js";

/** @typedef {import("./errors.js").Path} Path */

/**
 * The text around a node's slots (one more part than slots), or around each item's slots.
 * @typedef {readonly string[]} Statics
 */

/**
 * An `if`/`match` branch or the root: HTML = `statics[0] + slots[0] + statics[1] + …`.
 * @typedef {{ readonly kind: "node", readonly statics: Statics,
 *   readonly slots: readonly TreeValue[] }} TreeNode
 */

/**
 * A `for` loop: each item's slots between the same statics. `idKey` is the slot holding each
 * item's key (`"m": {"idKey": "0"}`), or `null`.
 * @typedef {{ readonly kind: "list", readonly statics: Statics, readonly idKey: number | null,
 *   readonly items: readonly TreeItem[] }} TreeList
 */

/**
 * One item of a list; `key` is its own key (`"_k"`), or `null` when its key is in a slot.
 * @typedef {{ readonly kind: "item", readonly key: string | null,
 *   readonly slots: readonly TreeValue[] }} TreeItem
 */

/**
 * What a slot holds: text (HTML, inserted as is), a node, or a list.
 * @typedef {string | TreeNode | TreeList} TreeValue
 */

/**
 * Statics tables by their `"f"` id. A frame is applied with a copy, which replaces the cache
 * held only when the whole frame applied.
 * @typedef {Map<number, Statics>} StaticsCache
 */

// ---- JSON helpers ---------------------------------------------------------------------------

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export const isObject = (value) => typeof value == "object" && value !== null && !Array.isArray(value);

/**
 * Whether `object` has its own `key` (JSON objects may hold "__proto__" or "constructor").
 * @param {object} object
 * @param {string} key
 */
export const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/**
 * A value carrying `"s"` or `"f"` is a whole subtree: it replaces what a slot held.
 * @param {object} object
 */
export const hasStatics = (object) => has(object, STATICS) || has(object, FINGERPRINT);

/**
 * Whether `value` is a statics id or a short form's code (the Rust client's `u64`).
 * @param {unknown} value
 * @returns {value is number}
 */
export const isId = (value) => Number.isSafeInteger(value) && /** @type {number} */ (value) >= 0;

/**
 * A slot key in canonical form (`"0"`, `"12"`; not `"01"`) as a number, else `null`. Keys past
 * the Rust client's `usize` are no slot numbers either.
 * @param {string} key
 * @returns {number | null}
 */
export const slotIndex = (key) =>
  /^(0|[1-9]\d*)$/.test(key) && (key.length < 20 || (key.length == 20 && key <= "18446744073709551615"))
    ? +key
    : null;

/**
 * The strings of a statics array; `null` when it is not a non-empty array of strings.
 * @param {unknown} value
 * @returns {Statics | null}
 */
export const staticsParts = (value) =>
  Array.isArray(value) && value.length && value.every((part) => typeof part == "string") ? value.slice() : null;

// ---- whole values ---------------------------------------------------------------------------

/**
 * A whole value: text, a node or list with its statics, or a node in short form.
 * @param {unknown} value
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue}
 */
export function whole(value, cache, path) {
  checkDepth(path);
  if (typeof value == "string") return value;
  if (typeof value == "number" || typeof value == "boolean") return String(value);
  if (Array.isArray(value)) {
    if (typeof value[0] == "number") return shortNode(value, cache, path);
    throw shape(path, DEV && "a whole value (list operations apply only to a list the client holds)");
  }
  if (!isObject(value)) throw shape(path, DEV && "text, a node or a list, not null");
  if (!hasStatics(value)) {
    throw shape(
      path,
      DEV && 'a whole node or list, with "s" or "f" (a partial update applies only to a node the client holds)',
    );
  }
  const statics = resolveStatics(value, cache, path);
  const count = statics.length - 1;
  if (!has(value, ITEMS)) return { kind: "node", statics, slots: exactSlots(value, count, [STATICS, FINGERPRINT], cache, path) };
  const stray = Object.keys(value).find((key) => ![STATICS, FINGERPRINT, ITEMS, META].includes(key));
  if (stray !== undefined) throw unknownKey(path, stray);
  const idKey = has(value, META) ? parseIdKey(value[META], count, child(path, META)) : null;
  const values = value[ITEMS];
  if (!Array.isArray(values)) throw shape(child(path, ITEMS), DEV && "an array of items");
  return { kind: "list", statics, idKey, items: values.map((v, n) => item(v, count, cache, child(path, n))) };
}

/**
 * A node in short form, `[id, slot0, slot1, …]`: its statics the cached table `id` names.
 * @param {readonly unknown[]} value
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeNode}
 */
export function shortNode([id, ...slots], cache, path) {
  if (!isId(id)) {
    throw shape(
      path,
      DEV && (id === undefined ? "[id, slots…]: a node in short form" : "[id, slots…] with id a statics id (a non-negative integer)"),
    );
  }
  const statics = cached(cache, id, path);
  return { kind: "node", statics, slots: positional(slots, statics.length - 1, 1, cache, path) };
}

/**
 * @param {StaticsCache} cache
 * @param {number} id
 * @param {Path} path
 */
const cached = (cache, id, path) => {
  const statics = cache.get(id);
  if (!statics) throw new ApplyError("UnknownStatics", path, { id });
  return statics;
};

/**
 * The statics of a whole node or list: its `"s"` (cached under its `"f"`), or the cached
 * table its `"f"` names.
 * @param {Record<string, unknown>} object
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {Statics}
 */
export function resolveStatics(object, cache, path) {
  const id = object[FINGERPRINT];
  const hasId = has(object, FINGERPRINT);
  if (hasId && !isId(id)) throw shape(path, DEV && '"f": a statics id (a non-negative integer)');
  if (!has(object, STATICS)) return cached(cache, /** @type {number} */ (id), path);
  const parts = staticsParts(object[STATICS]);
  if (!parts) throw shape(path, DEV && '"s": a non-empty array of strings');
  if (hasId) cache.set(/** @type {number} */ (id), parts);
  return parts;
}

/**
 * A list's `"m"`: `{"idKey": "<slot>"}`, or `{}`.
 * @param {unknown} meta
 * @param {number} count the number of slots of an item
 * @param {Path} path
 * @returns {number | null}
 */
export function parseIdKey(meta, count, path) {
  if (!isObject(meta)) throw shape(path, DEV && "an object");
  const stray = Object.keys(meta).find((key) => key != ID_KEY);
  if (stray !== undefined) throw unknownKey(path, stray);
  if (!has(meta, ID_KEY)) return null;
  const slot = meta[ID_KEY];
  if (typeof slot != "string") throw shape(path, DEV && '"idKey": a string');
  const index = slotIndex(slot);
  if (index === null || index >= count) throw shape(path, DEV && "\"idKey\": the number of one of the item's slots");
  return index;
}

/**
 * One list item: exactly `count` slots, by number and maybe with its own key `"_k"`, or by
 * position (an array).
 * @param {unknown} value
 * @param {number} count
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeItem}
 */
export function item(value, count, cache, path) {
  checkDepth(path);
  if (Array.isArray(value)) return { kind: "item", key: null, slots: positional(value, count, 0, cache, path) };
  if (!isObject(value)) throw shape(path, DEV && "an item: an object or an array of slots");
  const key = value[ITEM_KEY] ?? null;
  if (has(value, ITEM_KEY) && typeof key != "string") throw shape(child(path, ITEM_KEY), DEV && "a string");
  return { kind: "item", key: /** @type {string | null} */ (key), slots: exactSlots(value, count, [ITEM_KEY], cache, path) };
}

/**
 * Slots given by position (a short-form node or item); `offset` is where they start in the
 * array, for paths.
 * @param {readonly unknown[]} values
 * @param {number} count
 * @param {number} offset
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue[]}
 */
function positional(values, count, offset, cache, path) {
  if (values.length != count) throw slotCount(path, count, values.length);
  return values.map((value, i) => whole(value, cache, child(path, i + offset)));
}

/**
 * Slots `"0"` to `count - 1`, all present; besides them only the keys in `other`.
 * @param {Record<string, unknown>} object
 * @param {number} count
 * @param {readonly string[]} other
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue[]}
 */
function exactSlots(object, count, other, cache, path) {
  let found = 0;
  let outOfRange = false;
  for (const key of Object.keys(object)) {
    if (other.includes(key)) continue;
    const index = slotIndex(key);
    if (index === null) throw unknownKey(path, key);
    found++;
    outOfRange ||= index >= count;
  }
  if (found != count || outOfRange) throw slotCount(path, count, found);
  /** @type {TreeValue[]} */
  const slots = [];
  for (let i = 0; i < count; i++) slots.push(whole(object[i], cache, child(path, i + "")));
  return slots;
}

/**
 * An item's key: its `"_k"` when it has one, else the text of the list's key slot.
 * @param {TreeItem} item
 * @param {number | null} idKey
 * @returns {string | null}
 */
export function itemKey(item, idKey) {
  const slot = idKey === null ? null : item.slots[idKey];
  return item.key ?? (typeof slot == "string" ? slot : null);
}

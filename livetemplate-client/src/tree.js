// The tree cache's data types, the statics cache, and building whole values of a frame (a
// subtree with "s" or "f") into them, validated on the way.

import { FINGERPRINT, ID_KEY, ITEM_KEY, ITEMS, META, STATICS } from "./constants.js";
import {
  checkDepth,
  child,
  shape,
  slotCount,
  unknownKey,
  unknownStatics,
} from "./errors.js";

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
 * Statics tables by their `"f"` id. Tables learnt while a frame is applied are staged, and
 * kept (`commit`) only when the whole frame applied; `rollback` forgets them.
 */
export class StaticsCache {
  /** @type {Map<number, Statics>} */
  #tables = new Map();
  /** @type {Map<number, Statics>} */
  #staged = new Map();

  /** @param {number} id @returns {Statics | undefined} */
  get(id) {
    return this.#staged.get(id) ?? this.#tables.get(id);
  }

  /** @param {number} id @param {Statics} statics */
  set(id, statics) {
    this.#staged.set(id, statics);
  }

  /** Keeps the tables learnt since the last commit or rollback. */
  commit() {
    for (const [id, statics] of this.#staged) this.#tables.set(id, statics);
    this.#staged.clear();
  }

  /** Forgets the tables learnt since the last commit or rollback. */
  rollback() {
    this.#staged.clear();
  }

  /** The number of tables kept. */
  get size() {
    return this.#tables.size;
  }
}

// ---- JSON helpers ---------------------------------------------------------------------------

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Whether `object` has its own `key` (JSON objects may hold "__proto__" or "constructor").
 * @param {Record<string, unknown>} object
 * @param {string} key
 */
export function has(object, key) {
  return hasOwn.call(object, key);
}

/**
 * A value carrying `"s"` or `"f"` is a whole subtree: it replaces what a slot held.
 * @param {Record<string, unknown>} object
 */
export function hasStatics(object) {
  return has(object, STATICS) || has(object, FINGERPRINT);
}

const CANONICAL = /^(?:0|[1-9][0-9]*)$/;
const USIZE_MAX = "18446744073709551615";

/**
 * A slot key in canonical form (`"0"`, `"12"`; not `"01"`) as a number, else `null`. Keys past
 * the Rust client's `usize` are no slot numbers either.
 * @param {string} key
 * @returns {number | null}
 */
export function slotIndex(key) {
  if (!CANONICAL.test(key)) return null;
  if (key.length > USIZE_MAX.length || (key.length === USIZE_MAX.length && key > USIZE_MAX)) {
    return null;
  }
  return Number(key);
}

/**
 * The strings of a statics array; `null` when it is not a non-empty array of strings.
 * @param {unknown} value
 * @returns {Statics | null}
 */
export function staticsParts(value) {
  if (!Array.isArray(value) || value.length === 0) return null;
  for (const part of value) if (typeof part !== "string") return null;
  return /** @type {string[]} */ (value.slice());
}

// ---- whole values ---------------------------------------------------------------------------

/**
 * A whole value: text, or a node or list with its statics.
 * @param {unknown} value
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue}
 */
export function whole(value, cache, path) {
  checkDepth(path);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) throw shape(path, "text, a node or a list, not null");
  if (Array.isArray(value)) {
    throw shape(path, "a whole value (list operations apply only to a list the client holds)");
  }
  if (!isObject(value)) throw shape(path, "a JSON value");
  if (!hasStatics(value)) {
    throw shape(
      path,
      'a whole node or list, with "s" or "f" ' +
        "(a partial update applies only to a node the client holds)",
    );
  }
  const statics = resolveStatics(value, cache, path);
  return has(value, ITEMS) ? list(value, statics, cache, path) : node(value, statics, cache, path);
}

/**
 * The statics of a whole node or list: its `"s"` (cached under its `"f"`), or the cached
 * table its `"f"` names.
 * @param {Record<string, unknown>} object
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {Statics}
 */
export function resolveStatics(object, cache, path) {
  /** @type {number | null} */
  let id = null;
  if (has(object, FINGERPRINT)) {
    const f = object[FINGERPRINT];
    if (typeof f !== "number" || !Number.isSafeInteger(f) || f < 0) {
      throw shape(path, '"f": a statics id (a non-negative integer)');
    }
    id = f;
  }
  if (has(object, STATICS)) {
    const parts = staticsParts(object[STATICS]);
    if (parts === null) throw shape(path, '"s": a non-empty array of strings');
    if (id !== null) cache.set(id, parts);
    return parts;
  }
  if (id === null) throw shape(path, '"s" or "f"');
  const cached = cache.get(id);
  if (cached === undefined) throw unknownStatics(path, id);
  return cached;
}

/**
 * @param {Record<string, unknown>} object
 * @param {Statics} statics
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeNode}
 */
export function node(object, statics, cache, path) {
  const slots = exactSlots(object, statics.length - 1, [STATICS, FINGERPRINT], cache, path);
  return { kind: "node", statics, slots };
}

const LIST_KEYS = [STATICS, FINGERPRINT, ITEMS, META];

/**
 * @param {Record<string, unknown>} object
 * @param {Statics} statics
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeList}
 */
function list(object, statics, cache, path) {
  const stray = Object.keys(object).find((key) => !LIST_KEYS.includes(key));
  if (stray !== undefined) throw unknownKey(path, stray);
  const count = statics.length - 1;
  const idKey = has(object, META) ? parseIdKey(object[META], count, child(path, META)) : null;
  const values = object[ITEMS];
  if (!Array.isArray(values)) throw shape(child(path, ITEMS), "an array of items");
  const items = values.map((value, i) => item(value, count, cache, child(path, i)));
  return { kind: "list", statics, idKey, items };
}

/**
 * A list's `"m"`: `{"idKey": "<slot>"}`, or `{}`.
 * @param {unknown} meta
 * @param {number} count the number of slots of an item
 * @param {Path} path
 * @returns {number | null}
 */
export function parseIdKey(meta, count, path) {
  if (!isObject(meta)) throw shape(path, "an object");
  const stray = Object.keys(meta).find((key) => key !== ID_KEY);
  if (stray !== undefined) throw unknownKey(path, stray);
  if (!has(meta, ID_KEY)) return null;
  const slot = meta[ID_KEY];
  if (typeof slot !== "string") throw shape(path, '"idKey": a string');
  const index = slotIndex(slot);
  if (index === null || index >= count) {
    throw shape(path, "\"idKey\": the number of one of the item's slots");
  }
  return index;
}

/**
 * One list item: exactly `count` slots, and maybe its own key `"_k"`.
 * @param {unknown} value
 * @param {number} count
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeItem}
 */
export function item(value, count, cache, path) {
  checkDepth(path);
  if (!isObject(value)) throw shape(path, "an item: an object of slots");
  /** @type {string | null} */
  let key = null;
  if (has(value, ITEM_KEY)) {
    const own = value[ITEM_KEY];
    if (typeof own !== "string") throw shape(child(path, ITEM_KEY), "a string");
    key = own;
  }
  const slots = exactSlots(value, count, [ITEM_KEY], cache, path);
  return { kind: "item", key, slots };
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
  let numbered = 0;
  let outOfRange = false;
  for (const key of Object.keys(object)) {
    if (other.includes(key)) continue;
    const index = slotIndex(key);
    if (index === null) throw unknownKey(path, key);
    numbered += 1;
    outOfRange ||= index >= count;
  }
  if (numbered !== count || outOfRange) throw slotCount(path, count, numbered);
  /** @type {TreeValue[]} */
  const slots = new Array(count);
  for (let index = 0; index < count; index++) {
    const key = String(index);
    slots[index] = whole(object[key], cache, child(path, key));
  }
  return slots;
}

/**
 * An item's key: its `"_k"` when it has one, else the text of the list's key slot.
 * @param {TreeItem} item
 * @param {number | null} idKey
 * @returns {string | null}
 */
export function itemKey(item, idKey) {
  if (item.key !== null) return item.key;
  if (idKey === null) return null;
  const slot = item.slots[idKey];
  return typeof slot === "string" ? slot : null;
}

// The tree cache's data types, the statics cache, and building whole values of a frame (a
// subtree with "s" or "f", or a node in short form) into them, validated on the way.

import { DEV, FINGERPRINT, ID_KEY, ITEM_KEY, ITEMS, LIST_META, STATICS } from "./constants.js";
import { ROOT, child, deeper, expect, fail, shape, slotCount, unknownKey } from "./errors.js";

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
export const isObject = (value) => typeof value == "object" && !!value && !Array.isArray(value);

/**
 * A value carrying `"s"` or `"f"` is a whole subtree: it replaces what a slot held. (`in` is
 * safe here: no object inherits these keys.)
 * @param {object} object
 */
export const hasStatics = (object) => STATICS in object || FINGERPRINT in object;

/**
 * Whether `value` is a statics id or a short form's code (the Rust client's `u64`).
 * @param {unknown} value
 * @returns {value is number}
 */
export const isId = (value) => Number.isSafeInteger(value) && /** @type {number} */ (value) >= 0;

/**
 * A slot key in canonical form (`"0"`, `"12"`; not `"01"`) as a number, else `Infinity` (past
 * every slot). Under DEV, keys past the Rust client's `usize` are no slot numbers either: that
 * only makes such a key of a whole node an `UnknownKey` rather than a `SlotCount` (in the
 * bundle both are `SlotCount`); anywhere else it is past every slot all the same.
 * @param {string | number} key a number (an array position) reads as its text
 * @returns {number}
 */
export const slotIndex = (key) =>
  /^(0|[1-9]\d{0,19})$/.test(/** @type {string} */ (key)) && (!DEV || BigInt(key) < 2n ** 64n) ? +key : Infinity;

/**
 * The strings of a statics array; `null` when it is not a non-empty array of strings.
 * @param {unknown} value
 * @returns {Statics | null}
 */
export const staticsParts = (value) =>
  Array.isArray(value) && value.length && value.every((part) => typeof part == "string") ? [...value] : null;

/**
 * Throws `UnknownKey` naming the first key of `rest` (what is left of an object once the keys
 * that belong are taken out), if it has any.
 * @param {object} rest
 * @param {Path} path
 */
const noKeys = (rest, path) => {
  for (const key in rest) throw unknownKey(path, key);
};

// ---- whole values ---------------------------------------------------------------------------
//
// JSON values are never `undefined`: a key destructured as `undefined` is absent.

/**
 * A whole value: text, a node or list with its statics, or a node in short form
 * (`[id, slot0, slot1, …]`, its statics the cached table `id` names; at the root any array is
 * one).
 * @param {unknown} value
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue}
 */
export function whole(value, cache, path) {
  // Text, a number or a boolean (JSON has no other kinds of value but objects).
  if (typeof value != "object") return String(value);
  const short = Array.isArray(value) && (typeof value[0] == "number" || path == ROOT);
  expect(
    short || (value && hasStatics(value)), // (no array has "s" or "f")
    path,
    DEV &&
      (Array.isArray(value)
        ? "a whole value (list operations apply only to a list the client holds)"
        : isObject(value)
          ? 'a whole node or list, with "s" or "f" (a partial update applies only to a node the client holds)'
          : "text, a node or a list, not null"),
  );
  const { [STATICS]: parts, [FINGERPRINT]: id = short ? value[0] : undefined, ...slots } = /** @type {any} */ (value);
  // The statics: "s" (cached under "f"), or the cached table "f" (or a short form's id) names.
  expect(
    (!short && id === undefined) || isId(id),
    path,
    DEV &&
      (!short
        ? '"f": a statics id (a non-negative integer)'
        : id === undefined
          ? "[id, slots…]: a node in short form"
          : "[id, slots…] with id a statics id (a non-negative integer)"),
  );
  const statics = parts === undefined ? cache.get(id) : staticsParts(parts);
  // (Only DEV tells a bad "s" from an unknown "f": the bundle calls both `UnknownStatics`.)
  if (!statics) {
    throw DEV && parts !== undefined
      ? shape(path, '"s": a non-empty array of strings')
      : fail("UnknownStatics", path, { id });
  }
  if (isId(id)) cache.set(id, statics); // (a table read from the cache is set again, unchanged)
  const count = statics.length - 1;
  const { [ITEMS]: values, [LIST_META]: meta, ...stray } = slots;
  // (A short form has no "d".)
  if (values === undefined) {
    return {
      kind: "node",
      statics,
      slots: slotsOf(short ? /** @type {unknown[]} */ (value) : slots, count, short ? 1 : 0, cache, path),
    };
  }
  noKeys(stray, path);
  const idKey = meta === undefined ? null : parseIdKey(meta, count, child(path, LIST_META));
  expect(Array.isArray(values), child(path, ITEMS), DEV && "an array of items");
  return { kind: "list", statics, idKey, items: values.map((v, n) => item(v, count, cache, deeper(path, n))) };
}

/**
 * A list's `"m"`: `{"idKey": "<slot>"}`, or `{}`.
 * @param {unknown} meta
 * @param {number} count the number of slots of an item
 * @param {Path} path
 * @returns {number | null}
 */
export function parseIdKey(meta, count, path) {
  expect(isObject(meta), path, DEV && "an object");
  const { [ID_KEY]: slot, ...stray } = meta;
  noKeys(stray, path);
  if (slot === undefined) return null;
  const index = typeof slot == "string" ? slotIndex(slot) : Infinity;
  expect(
    index < count,
    path,
    DEV && (typeof slot == "string" ? "\"idKey\": the number of one of the item's slots" : '"idKey": a string'),
  );
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
  const array = Array.isArray(value);
  expect(array || isObject(value), path, DEV && "an item: an object or an array of slots");
  const { [ITEM_KEY]: key, ...slots } = /** @type {Record<string, unknown>} */ (value);
  expect(key === undefined || typeof key == "string", child(path, ITEM_KEY), DEV && "a string");
  return { kind: "item", key: key ?? null, slots: slotsOf(array ? value : slots, count, 0, cache, path) };
}

/**
 * The `count` slots of a node or an item: by position in an array, from `values[offset]` on
 * (paths name the positions: `[1]`), or by number in an object, `"0"` to `count - 1`, all
 * present and no other keys (paths name the keys: `.1`).
 * @param {Readonly<Record<string, unknown>> | readonly unknown[]} values
 * @param {number} count
 * @param {number} offset
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue[]}
 */
function slotsOf(values, count, offset, cache, path) {
  const array = Array.isArray(values);
  /** @type {(string | number)[]} */
  const keys = array ? [...values.keys()].slice(offset) : Object.keys(values);
  // "0" to `count - 1` in order: object keys that are slot numbers enumerate in ascending order.
  if (keys.length != count || (!array && keys.some((key, n) => key !== `${n}`))) {
    // A key that is no slot number is an `UnknownKey` (the bundle, whose errors do not say
    // which key, calls every mismatch a `SlotCount`).
    const stray = DEV ? keys.find((key) => slotIndex(key) == Infinity) : undefined;
    throw stray === undefined ? slotCount(path, count, keys.length) : unknownKey(path, /** @type {string} */ (stray));
  }
  return keys.map((key) => whole(/** @type {any} */ (values)[key], cache, deeper(path, key)));
}

/**
 * An item's key: its `"_k"` when it has one, else the text of the list's key slot.
 * @param {TreeItem} item
 * @param {number | null} idKey
 * @returns {string | null}
 */
export function itemKey(item, idKey) {
  const slot = item.slots[idKey ?? -1];
  return item.key ?? (typeof slot == "string" ? slot : null);
}

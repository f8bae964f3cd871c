// Merging an update into the tree: changed slots, replaced subtrees and list operations, in
// plain or short form. Copy-on-write: a merge returns new nodes along the changed paths and
// never touches the old tree, so a frame that fails half-way leaves the tree as it was.

import {
  CODE_APPEND,
  CODE_INSERT,
  CODE_PREPEND,
  CODE_REMOVE,
  CODE_REORDER,
  CODE_UPDATE,
  DEV,
  OP_APPEND,
  OP_INSERT,
  OP_PREPEND,
  OP_REMOVE,
  OP_REORDER,
  OP_UPDATE,
} from "./constants.js";
import { ROOT, deeper, expect, fail, shape, unknownKey } from "./errors.js";
import { hasStatics, isId, isObject, item, itemKey, parseIdKey, slotIndex, staticsParts, whole } from "./tree.js";

/** @typedef {import("./errors.js").Path} Path */
/** @typedef {import("./tree.js").StaticsCache} StaticsCache */
/** @typedef {import("./tree.js").TreeItem} TreeItem */
/** @typedef {import("./tree.js").TreeList} TreeList */
/** @typedef {import("./tree.js").TreeValue} TreeValue */
/** @typedef {import("./tree.js").TreeNode} TreeNode */

/**
 * What one frame changed in one slot (`Rendered.applyTree` returns the root's). Every change
 * holds the value before (`old`) and after (`value`):
 * - `replace`: a new value (text, or a whole subtree) took the slot;
 * - `node`: changes merged into the node there, `slots` says which (ascending by slot);
 * - `list`: list operations, normalized (see `ListOp`); `old.statics === value.statics`
 *   unless an `"a"`/`"p"` brought other statics.
 * @typedef {{ kind: "replace", old: TreeValue | null, value: TreeValue }
 *   | { kind: "node", old: TreeNode, value: TreeNode, slots: SlotChanges }
 *   | { kind: "list", old: TreeList, value: TreeList, ops: ListOp[] }} Change
 */

/**
 * The changed slots of a node or an item, by slot number, in ascending order.
 * @typedef {Map<number, Change>} SlotChanges
 */

/**
 * One list operation, normalized, in the order applied. `index` is the item's position in
 * the list as it was just before this operation; `key` its key (`null` when it has none).
 * - `remove`: the item at `index` left;
 * - `update`: changes merged into the item at `index`, now `item`;
 * - `insert`: `items` (one for `"i"`, several for `"a"`/`"p"`) now start at `index`;
 *   `after` is the key of the item before them (`null` at the start);
 * - `reorder`: `order[n]` is the position (before this operation) of the item now at `n`;
 *   items not named left.
 * @typedef {{ op: "remove", index: number, key: string | null }
 *   | { op: "update", index: number, key: string | null, item: TreeItem, slots: SlotChanges }
 *   | { op: "insert", index: number, after: string | null, items: TreeItem[] }
 *   | { op: "reorder", order: number[] }} ListOp
 */

/**
 * Merges `{"3": change, …}` into the slots of a node (or of a list item): a `node` change
 * whose `slots` say which changed, or `null` when nothing did.
 * @template {TreeNode | TreeItem} T
 * @param {T} old
 * @param {Record<string, unknown>} changes
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {{ kind: "node", old: T, value: T, slots: SlotChanges } | null}
 */
export function mergeNode(old, changes, cache, path) {
  const slots = old.slots.slice();
  /** @type {SlotChanges} */
  const changed = new Map();
  // Integer keys enumerate in ascending order, so `changed` is ascending too.
  for (const key of Object.keys(changes)) {
    const index = slotIndex(key);
    if (index >= slots.length) throw unknownKey(path, key);
    const change = merge(slots[index], changes[key], cache, deeper(path, key));
    if (change) {
      changed.set(index, change);
      slots[index] = change.value;
    }
  }
  return changed.size ? { kind: "node", old, value: { ...old, slots }, slots: changed } : null;
}

/**
 * One slot's change, or the root's (`path` is `ROOT`, `slot` the tree held or `null`): a
 * partial update of the node there, list operations on the list there, or a whole value that
 * replaces it; `null` when it changes nothing.
 * @param {TreeValue | null} slot
 * @param {unknown} change
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {Change | null}
 */
export function merge(slot, change, cache, path) {
  const partial = isObject(change) && !hasStatics(change);
  // An array starting with a number is a node in short form (at the root, any array is one).
  const ops = Array.isArray(change) && typeof change[0] != "number" && path != ROOT;
  // (Only the root's slot is ever `null`: before the first whole tree. `kind` of text is
  // undefined.)
  if (!slot && partial) throw fail("NoTree");
  expect(
    !(partial || ops) || /** @type {TreeNode} */ (slot).kind == (partial ? "node" : "list"),
    path,
    DEV &&
      (partial
        ? "a whole value: a partial update applies only to a node, and the slot holds text or a list"
        : "a whole value: list operations apply only to a list, and the slot holds none"),
  );
  if (partial) return mergeNode(/** @type {TreeNode} */ (slot), change, cache, path);
  if (ops) return applyOps(/** @type {TreeList} */ (slot), change, cache, path);
  return replaced(slot, whole(change, cache, path));
}

/**
 * A `replace` change, or `null` when the value is the same.
 * @param {TreeValue | null} old
 * @param {TreeValue} value
 * @returns {Change | null}
 */
const replaced = (old, value) => (value !== old ? { kind: "replace", old, value } : null);

/** The plain operation names, each at its short code (test/constants.test.js checks the order). */
export const OP_NAMES = [OP_REMOVE, OP_UPDATE, OP_INSERT, OP_APPEND, OP_PREPEND, OP_REORDER];

/**
 * A list's operations, in the order given, each recorded, normalized, in the change's `ops`.
 * Plain (`["r", key]`, …) or short (`[0, key…]`, …: a numeric code and its arguments, flat);
 * both dispatch on the code. New statics for the items held make the change a `replace`: the
 * whole list is new to the page.
 * @param {TreeList} list
 * @param {readonly unknown[]} ops
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {Change | null}
 */
function applyOps(list, ops, cache, path) {
  let { statics, idKey } = list;
  let items = list.items.slice();
  /** @type {ListOp[]} */
  const track = [];
  ops.forEach((op, i) => {
    const at = deeper(path, i);
    const [name, ...args] = Array.isArray(op) ? op : [];
    const n = args.length;
    const short = isId(name);
    const code = short ? name : OP_NAMES.indexOf(name);
    /**
     * The position of the first item with `key` (a string, or in short form a whole number
     * standing for its text), and that text; `lookup` finds the position of a text.
     * @param {unknown} key
     * @param {(text: string) => number | undefined} [lookup]
     * @returns {[number, string]}
     */
    const find = (key, lookup = (text) => items.findIndex((it) => itemKey(it, idKey) === text)) => {
      expect(
        typeof key == "string" || (short && Number.isInteger(key)),
        at,
        DEV && (short ? "a key: a string or a whole number" : "a key: a string"),
      );
      const text = String(key);
      const index = lookup(text) ?? -1;
      if (index < 0) throw fail("MissingKey", at, { key: text });
      return [index, text];
    };
    /** `added` now start at `index`. @param {number} index @param {TreeItem[]} added */
    const insert = (index, added) => {
      if (added.length) track.push({ op: "insert", index, after: index ? itemKey(items[index - 1], idKey) : null, items: added });
      items = [...items.slice(0, index), ...added, ...items.slice(index)];
    };

    if (code == CODE_REMOVE && (short ? n : n == 1)) {
      for (const key of args) {
        const [index, text] = find(key);
        items.splice(index, 1);
        track.push({ op: "remove", index, key: text });
      }
    } else if (code == CODE_UPDATE && n == 2 && (!DEV || !short || isObject(args[1]))) {
      // (Under DEV, changes that are no object make a short update a `Shape` before its key is
      // looked up, as in the Rust client; the bundle may find the key missing first.)
      const [index, key] = find(args[0]);
      const changes = args[1];
      expect(isObject(changes), at, DEV && '["u",key,changes] with changes an object');
      const change = mergeNode(items[index], changes, cache, at);
      if (change) {
        items[index] = change.value;
        track.push({ op: "update", index, key, item: change.value, slots: change.slots });
      }
    } else if (code == CODE_INSERT && n == 2) {
      insert(find(args[0])[0] + 1, [item(args[1], statics.length - 1, cache, deeper(at, 2))]);
    } else if ((code == CODE_APPEND || code == CODE_PREPEND) && n && (short || n < (code == CODE_APPEND ? 4 : 3))) {
      // `[3, item…]`, `[4, item…]`; `["a", items, statics?, meta?]`, `["p", items, statics?]`.
      let values = args;
      if (!short) {
        const parts = args[1] == null ? statics : staticsParts(args[1]);
        expect(parts, at, DEV && "statics: a non-empty array of strings");
        // The same statics again keep their identity (the DOM patcher caches by it).
        if (JSON.stringify(parts) != JSON.stringify(statics)) statics = parts;
        values = /** @type {unknown[]} */ (args[0]);
        expect(Array.isArray(values), at, DEV && "an array of items");
      }
      // Paths name a short item by its position in the operation, a plain one in its array.
      insert(code == CODE_APPEND ? items.length : 0, values.map((value, n) => item(value, statics.length - 1, cache, deeper(at, n + (short ? 1 : 0)))));
      if (!short && args[2] != null) idKey = parseIdKey(args[2], statics.length - 1, at);
    } else if (code == CODE_REORDER && (short ? n : n == 1 && Array.isArray(args[0]))) {
      // The items named, in that order; the others are dropped. A key names its first item
      // (the entries are reversed: the first item with a key is set last).
      const positions = new Map(items.map((it, n) => /** @type {const} */ ([itemKey(it, idKey), n])).reverse());
      const order = (short ? args : /** @type {unknown[]} */ (args[0])).map((key) => find(key, (text) => positions.get(text))[0]);
      expect(new Set(order).size == order.length, at, DEV && "a reorder naming each key once");
      // Not the same order (or fewer items: `order` names each position once at most).
      if (items.some((_, n) => order[n] != n)) track.push({ op: "reorder", order });
      items = order.map((from) => items[from]);
    } else {
      throw shape(
        at,
        DEV &&
          (short
            ? "an operation in short form: [0,key…], [1,key,changes], [2,after,item], [3,item…], [4,item…] or [5,key…]"
            : 'an operation: ["r",key], ["u",key,changes], ["i",after,item], ["a",items,statics?,meta?], ["p",items,statics?] or ["o",keys]'),
      );
    }
  });
  /** @type {TreeList} */
  const value = { kind: "list", statics, idKey, items };
  return statics != list.statics
    ? replaced(list, value)
    : track.length || idKey !== list.idKey
      ? { kind: "list", old: list, value, ops: track }
      : null;
}

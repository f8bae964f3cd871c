// Merging an update into the tree: changed slots, replaced subtrees and list operations, in
// plain or short form. Copy-on-write: a merge returns new nodes along the changed paths and
// never touches the old tree, so a frame that fails half-way leaves the tree as it was.

import { DEV, OP_APPEND, OP_INSERT, OP_PREPEND, OP_REMOVE, OP_REORDER, OP_UPDATE } from "./constants.js";
import { ApplyError, checkDepth, child, shape, unknownKey } from "./errors.js";
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
 * Merges `{"3": change, …}` into a node's or item's slots. Returns `slots` itself when
 * `changes` is empty, else a new array; records in `track` what changed.
 * @param {readonly TreeValue[]} slots
 * @param {Record<string, unknown>} changes
 * @param {StaticsCache} cache
 * @param {Path} path
 * @param {SlotChanges} track
 * @returns {readonly TreeValue[]}
 */
export function mergeSlots(slots, changes, cache, path, track) {
  /** @type {TreeValue[] | null} */
  let next = null;
  // Integer keys enumerate in ascending order, so `track` is ascending too.
  for (const key of Object.keys(changes)) {
    const index = slotIndex(key);
    if (index === null || index >= slots.length) throw unknownKey(path, key);
    next ??= slots.slice();
    const change = merge(next[index], changes[key], cache, child(path, key));
    next[index] = change.value;
    if (change.kind == "replace" ? change.value !== change.old : change.kind == "node" || change.ops.length) {
      track.set(index, change);
    }
  }
  return next ?? slots;
}

/**
 * The change a node's slot changes make, or `null` when they change nothing.
 * @param {TreeNode} old
 * @param {Record<string, unknown>} changes
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {Change & { kind: "node" } | null}
 */
export function mergeNode(old, changes, cache, path) {
  /** @type {SlotChanges} */
  const slots = new Map();
  const merged = mergeSlots(old.slots, changes, cache, path, slots);
  return slots.size ? { kind: "node", old, value: { kind: "node", statics: old.statics, slots: merged }, slots } : null;
}

/**
 * One slot's change: a partial update of the node there, list operations on the list there,
 * or a whole value that replaces it.
 * @param {TreeValue} slot
 * @param {unknown} change
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {Change}
 */
function merge(slot, change, cache, path) {
  checkDepth(path);
  const kind = typeof slot == "string" ? "text" : slot.kind;
  if (isObject(change) && !hasStatics(change)) {
    if (kind != "node") {
      throw shape(path, DEV && "a whole value: a partial update applies only to a node, and the slot holds text or a list");
    }
    // Nothing changed inside: reported as a replace by itself, which mergeSlots drops.
    return mergeNode(/** @type {TreeNode} */ (slot), change, cache, path) ?? { kind: "replace", old: slot, value: slot };
  }
  if (Array.isArray(change) && typeof change[0] != "number") {
    if (kind != "list") throw shape(path, DEV && "a whole value: list operations apply only to a list, and the slot holds none");
    const list = /** @type {TreeList} */ (slot);
    /** @type {ListOp[]} */
    const ops = [];
    const value = applyOps(list, change, cache, path, ops);
    // New statics for the items held: the whole list is new to the page.
    return value.statics !== list.statics ? { kind: "replace", old: list, value } : { kind: "list", old: list, value, ops };
  }
  return { kind: "replace", old: slot, value: whole(change, cache, path) };
}

const OP_SHAPES =
  DEV &&
  'an operation: ["r",key], ["u",key,changes], ["i",after,item], ["a",items,statics?,meta?], ["p",items,statics?] or ["o",keys]';
const SHORT_OP_SHAPES =
  DEV && "an operation in short form: [0,key…], [1,key,changes], [2,after,item], [3,item…], [4,item…] or [5,key…]";

/**
 * A list's operations, in the order given; each recorded, normalized, in `track`. Plain
 * (`["r", key]`, …) or short (`[0, key…]`, …: a numeric code and its arguments, flat).
 * @param {TreeList} list
 * @param {readonly unknown[]} ops
 * @param {StaticsCache} cache
 * @param {Path} path
 * @param {ListOp[]} track
 * @returns {TreeList}
 */
function applyOps(list, ops, cache, path, track) {
  let { statics, idKey } = list;
  let items = list.items.slice();
  ops.forEach((op, i) => {
    const at = child(path, i);
    checkDepth(at);
    if (!Array.isArray(op)) throw shape(at, OP_SHAPES);
    const [name, ...args] = op;
    const n = args.length;
    const count = statics.length - 1;
    /** A key argument: a string, or (short form) a whole number standing for its text. @param {unknown} key */
    const keyArg = (key) => {
      if (typeof key == "string") return key;
      if (short && Number.isInteger(key)) return String(key);
      throw shape(at, DEV && (short ? "a key: a string or a whole number" : "a key: a string"));
    };
    /** The position of the first item with `key`. @param {unknown} key */
    const find = (key) => {
      const k = keyArg(key);
      const index = items.findIndex((it) => itemKey(it, idKey) === k);
      if (index < 0) throw new ApplyError("MissingKey", at, { key: k });
      return { index, key: k };
    };
    const remove = (/** @type {unknown} */ key) => {
      const { index, key: k } = find(key);
      items.splice(index, 1);
      track.push({ op: "remove", index, key: k });
    };
    const update = (/** @type {unknown} */ key, /** @type {unknown} */ changes) => {
      const { index, key: k } = find(key);
      if (!isObject(changes)) throw shape(at, DEV && '["u",key,changes] with changes an object');
      const old = items[index];
      /** @type {SlotChanges} */
      const changed = new Map();
      const slots = mergeSlots(old.slots, changes, cache, at, changed);
      if (changed.size) {
        const next = { kind: /** @type {const} */ ("item"), key: old.key, slots };
        items[index] = next;
        track.push({ op: "update", index, key: k, item: next, slots: changed });
      }
    };
    const insert = (/** @type {unknown} */ after, /** @type {unknown} */ value) => {
      const { index, key } = find(after);
      const added = item(value, count, cache, child(at, 2));
      items.splice(index + 1, 0, added);
      track.push({ op: "insert", index: index + 1, after: key, items: [added] });
    };
    /** @param {boolean} append @param {readonly unknown[]} values @param {number} offset */
    const add = (append, values, offset) => {
      const added = values.map((value, n) => item(value, statics.length - 1, cache, child(at, n + offset)));
      const index = append ? items.length : 0;
      if (added.length) track.push({ op: "insert", index, after: index ? itemKey(items[index - 1], idKey) : null, items: added });
      items = append ? items.concat(added) : added.concat(items);
    };
    /** `["o", keys]`: the items named, in that order; the others are dropped. @param {readonly unknown[]} keys */
    const reorder = (keys) => {
      /** @type {Map<string, number>} */
      const positions = new Map();
      items.forEach((it, position) => {
        const key = itemKey(it, idKey);
        if (key !== null && !positions.has(key)) positions.set(key, position);
      });
      const order = keys.map((value) => {
        const key = keyArg(value);
        const position = positions.get(key);
        if (position === undefined) throw new ApplyError("MissingKey", at, { key });
        return position;
      });
      if (new Set(order).size < order.length) throw shape(at, DEV && "a reorder naming each key once");
      if (order.length != items.length || order.some((from, n) => from != n)) track.push({ op: "reorder", order });
      items = order.map((from) => items[from]);
    };

    const short = isId(name);
    if (short) {
      if (name == 0 && n) args.forEach(remove);
      else if (name == 1 && n == 2 && isObject(args[1])) update(args[0], args[1]);
      else if (name == 2 && n == 2) insert(args[0], args[1]);
      else if ((name == 3 || name == 4) && n) add(name == 3, args, 1);
      else if (name == 5 && n) reorder(args);
      else throw shape(at, SHORT_OP_SHAPES);
    } else if (name === OP_REMOVE && n == 1) remove(args[0]);
    else if (name === OP_UPDATE && n == 2) update(args[0], args[1]);
    else if (name === OP_INSERT && n == 2) insert(args[0], args[1]);
    else if ((name === OP_APPEND && n && n < 4) || (name === OP_PREPEND && n && n < 3)) {
      if (args[1] != null) {
        const parts = staticsParts(args[1]);
        if (!parts) throw shape(at, DEV && "statics: a non-empty array of strings");
        // The same statics again keep their identity (the DOM patcher caches by it).
        if (parts.length != statics.length || parts.some((part, n) => part !== statics[n])) statics = parts;
      }
      if (!Array.isArray(args[0])) throw shape(at, DEV && "an array of items");
      add(name === OP_APPEND, args[0], 0);
      if (args[2] != null) idKey = parseIdKey(args[2], statics.length - 1, at);
    } else if (name === OP_REORDER && n == 1 && Array.isArray(args[0])) reorder(args[0]);
    else throw shape(at, OP_SHAPES);
  });
  return { kind: "list", statics, idKey, items };
}

// Merging an update into the tree: changed slots, replaced subtrees and list operations.
// Copy-on-write: a merge returns new nodes along the changed paths and never touches the old
// tree, so a frame that fails half-way leaves the tree as it was.

import {
  OP_APPEND,
  OP_INSERT,
  OP_PREPEND,
  OP_REMOVE,
  OP_REORDER,
  OP_UPDATE,
} from "./constants.js";
import { checkDepth, child, missingKey, shape, unknownKey } from "./errors.js";
import {
  hasStatics,
  isObject,
  item,
  itemKey,
  parseIdKey,
  slotIndex,
  staticsParts,
  whole,
} from "./tree.js";

/** @typedef {import("./errors.js").Path} Path */
/** @typedef {import("./tree.js").StaticsCache} StaticsCache */
/** @typedef {import("./tree.js").Statics} Statics */
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
    if (change.kind === "replace" ? change.value !== change.old : change.kind === "node" || change.ops.length > 0) {
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
  if (slots.size === 0) return null;
  return { kind: "node", old, value: { kind: "node", statics: old.statics, slots: merged }, slots };
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
  if (isObject(change) && !hasStatics(change)) {
    if (typeof slot !== "string" && slot.kind === "node") {
      // Nothing changed inside: reported as a replace by itself, which mergeSlots drops.
      return mergeNode(slot, change, cache, path) ?? { kind: "replace", old: slot, value: slot };
    }
    throw shape(
      path,
      "a whole value: a partial update applies only to a node, and the slot holds text or a list",
    );
  }
  if (Array.isArray(change)) {
    if (typeof slot !== "string" && slot.kind === "list") {
      /** @type {ListOp[]} */
      const ops = [];
      const value = applyOps(slot, change, cache, path, ops);
      // New statics for the items held: the whole list is new to the page.
      if (value.statics !== slot.statics) return { kind: "replace", old: slot, value };
      return { kind: "list", old: slot, value, ops };
    }
    throw shape(
      path,
      "a whole value: list operations apply only to a list, and the slot holds none",
    );
  }
  return { kind: "replace", old: slot, value: whole(change, cache, path) };
}

const OP_SHAPES =
  'an operation: ["r",key], ["u",key,changes], ["i",after,item], ' +
  '["a",items,statics?,meta?], ["p",items,statics?] or ["o",keys]';

/**
 * A list's operations, in the order given; each recorded, normalized, in `track`.
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
  for (let i = 0; i < ops.length; i++) {
    const at = child(path, i);
    checkDepth(at);
    const op = ops[i];
    if (!Array.isArray(op)) throw shape(at, OP_SHAPES);
    const name = typeof op[0] === "string" ? op[0] : null;
    if (name === OP_REMOVE && op.length === 2) {
      const key = keyArg(op[1], at);
      const index = find(items, idKey, key, at);
      items.splice(index, 1);
      track.push({ op: "remove", index, key });
    } else if (name === OP_UPDATE && op.length === 3) {
      const key = keyArg(op[1], at);
      const index = find(items, idKey, key, at);
      const changes = op[2];
      if (!isObject(changes)) throw shape(at, '["u",key,changes] with changes an object');
      const old = items[index];
      /** @type {SlotChanges} */
      const changed = new Map();
      const slots = mergeSlots(old.slots, changes, cache, at, changed);
      if (changed.size > 0) {
        const next = { kind: /** @type {const} */ ("item"), key: old.key, slots };
        items[index] = next;
        track.push({ op: "update", index, key, item: next, slots: changed });
      }
    } else if (name === OP_INSERT && op.length === 3) {
      const after = keyArg(op[1], at);
      const index = find(items, idKey, after, at) + 1;
      const added = item(op[2], statics.length - 1, cache, child(at, 2));
      items.splice(index, 0, added);
      track.push({ op: "insert", index, after, items: [added] });
    } else if (
      (name === OP_APPEND && op.length >= 2 && op.length <= 4) ||
      (name === OP_PREPEND && op.length >= 2 && op.length <= 3)
    ) {
      if (op[2] !== undefined && op[2] !== null) {
        const parts = staticsParts(op[2]);
        if (parts === null) throw shape(at, "statics: a non-empty array of strings");
        // The same statics again keep their identity (the DOM patcher caches by it).
        if (parts.length !== statics.length || parts.some((part, n) => part !== statics[n])) {
          statics = parts;
        }
      }
      const count = statics.length - 1;
      const values = op[1];
      if (!Array.isArray(values)) throw shape(at, "an array of items");
      const added = values.map((value, n) => item(value, count, cache, child(at, n)));
      const append = name === OP_APPEND;
      if (added.length > 0) {
        const index = append ? items.length : 0;
        const after = index > 0 ? itemKey(items[index - 1], idKey) : null;
        track.push({ op: "insert", index, after, items: added });
      }
      items = append ? items.concat(added) : added.concat(items);
      if (op[3] !== undefined && op[3] !== null) idKey = parseIdKey(op[3], count, at);
    } else if (name === OP_REORDER && op.length === 2 && Array.isArray(op[1])) {
      const order = reorder(items, idKey, op[1], at);
      const moved = order.length !== items.length || order.some((from, n) => from !== n);
      items = order.map((from) => items[from]);
      if (moved) track.push({ op: "reorder", order });
    } else {
      throw shape(at, OP_SHAPES);
    }
  }
  return { kind: "list", statics, idKey, items };
}

/**
 * @param {unknown} key
 * @param {Path} path
 * @returns {string}
 */
function keyArg(key, path) {
  if (typeof key !== "string") throw shape(path, "a key: a string");
  return key;
}

/**
 * The position of the first item with `key`.
 * @param {readonly TreeItem[]} items
 * @param {number | null} idKey
 * @param {string} key
 * @param {Path} path
 * @returns {number}
 */
function find(items, idKey, key, path) {
  const position = items.findIndex((it) => itemKey(it, idKey) === key);
  if (position < 0) throw missingKey(path, key);
  return position;
}

/**
 * `["o", keys]`: the positions of the items named, in that order; the others are dropped. A
 * key names the first item that has it.
 * @param {readonly TreeItem[]} items
 * @param {number | null} idKey
 * @param {readonly unknown[]} keys
 * @param {Path} path
 * @returns {number[]}
 */
function reorder(items, idKey, keys, path) {
  /** @type {Map<string, number>} */
  const positions = new Map();
  items.forEach((it, position) => {
    const key = itemKey(it, idKey);
    if (key !== null && !positions.has(key)) positions.set(key, position);
  });
  const order = keys.map((value) => {
    const key = keyArg(value, path);
    const position = positions.get(key);
    if (position === undefined) throw missingKey(path, key);
    return position;
  });
  /** @type {boolean[]} */
  const taken = new Array(items.length).fill(false);
  for (const position of order) {
    if (taken[position]) throw shape(path, "a reorder naming each key once");
    taken[position] = true;
  }
  return order;
}

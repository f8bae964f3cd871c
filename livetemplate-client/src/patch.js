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

/**
 * Merges `{"3": change, …}` into a node's or item's slots. Returns `slots` itself when
 * `changes` is empty, else a new array.
 * @param {readonly TreeValue[]} slots
 * @param {Record<string, unknown>} changes
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {readonly TreeValue[]}
 */
export function mergeSlots(slots, changes, cache, path) {
  /** @type {TreeValue[] | null} */
  let next = null;
  for (const key of Object.keys(changes)) {
    const index = slotIndex(key);
    if (index === null || index >= slots.length) throw unknownKey(path, key);
    next ??= slots.slice();
    next[index] = merge(next[index], changes[key], cache, child(path, key));
  }
  return next ?? slots;
}

/**
 * One slot's change: a partial update of the node there, list operations on the list there,
 * or a whole value that replaces it.
 * @param {TreeValue} slot
 * @param {unknown} change
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeValue}
 */
function merge(slot, change, cache, path) {
  checkDepth(path);
  if (isObject(change) && !hasStatics(change)) {
    if (typeof slot !== "string" && slot.kind === "node") {
      const slots = mergeSlots(slot.slots, change, cache, path);
      return { kind: "node", statics: slot.statics, slots };
    }
    throw shape(
      path,
      "a whole value: a partial update applies only to a node, and the slot holds text or a list",
    );
  }
  if (Array.isArray(change)) {
    if (typeof slot !== "string" && slot.kind === "list") {
      return applyOps(slot, change, cache, path);
    }
    throw shape(
      path,
      "a whole value: list operations apply only to a list, and the slot holds none",
    );
  }
  return whole(change, cache, path);
}

const OP_SHAPES =
  'an operation: ["r",key], ["u",key,changes], ["i",after,item], ' +
  '["a",items,statics?,meta?], ["p",items,statics?] or ["o",keys]';

/**
 * A list's operations, in the order given.
 * @param {TreeList} list
 * @param {readonly unknown[]} ops
 * @param {StaticsCache} cache
 * @param {Path} path
 * @returns {TreeList}
 */
function applyOps(list, ops, cache, path) {
  let { statics, idKey } = list;
  let items = list.items.slice();
  for (let i = 0; i < ops.length; i++) {
    const at = child(path, i);
    checkDepth(at);
    const op = ops[i];
    if (!Array.isArray(op)) throw shape(at, OP_SHAPES);
    const name = typeof op[0] === "string" ? op[0] : null;
    if (name === OP_REMOVE && op.length === 2) {
      items.splice(find(items, idKey, keyArg(op[1], at), at), 1);
    } else if (name === OP_UPDATE && op.length === 3) {
      const position = find(items, idKey, keyArg(op[1], at), at);
      const changes = op[2];
      if (!isObject(changes)) throw shape(at, '["u",key,changes] with changes an object');
      const old = items[position];
      const slots = mergeSlots(old.slots, changes, cache, at);
      items[position] = { kind: "item", key: old.key, slots };
    } else if (name === OP_INSERT && op.length === 3) {
      const position = find(items, idKey, keyArg(op[1], at), at);
      items.splice(position + 1, 0, item(op[2], statics.length - 1, cache, child(at, 2)));
    } else if (
      (name === OP_APPEND && op.length >= 2 && op.length <= 4) ||
      (name === OP_PREPEND && op.length >= 2 && op.length <= 3)
    ) {
      if (op[2] !== undefined && op[2] !== null) {
        const parts = staticsParts(op[2]);
        if (parts === null) throw shape(at, "statics: a non-empty array of strings");
        statics = parts;
      }
      const count = statics.length - 1;
      const values = op[1];
      if (!Array.isArray(values)) throw shape(at, "an array of items");
      const added = values.map((value, n) => item(value, count, cache, child(at, n)));
      items = name === OP_APPEND ? items.concat(added) : added.concat(items);
      if (op[3] !== undefined && op[3] !== null) idKey = parseIdKey(op[3], count, at);
    } else if (name === OP_REORDER && op.length === 2 && Array.isArray(op[1])) {
      items = reorder(items, idKey, op[1], at);
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
 * `["o", keys]`: the items named, in that order; the others are dropped. A key names the
 * first item that has it.
 * @param {readonly TreeItem[]} items
 * @param {number | null} idKey
 * @param {readonly unknown[]} keys
 * @param {Path} path
 * @returns {TreeItem[]}
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
  return order.map((position) => {
    if (taken[position]) throw shape(path, "a reorder naming each key once");
    taken[position] = true;
    return items[position];
  });
}

// Reading into the tree cache by path, for tests and tools (not part of the bundle): the value
// or the HTML of one slot, node, list, or list item.

import { render } from "./html.js";
import { itemKey } from "./tree.js";

/** @typedef {import("./rendered.js").Rendered} Rendered */
/** @typedef {import("./tree.js").TreeItem} TreeItem */
/** @typedef {import("./tree.js").TreeValue} TreeValue */

/**
 * A step of a path into the tree: in a node or an item, a slot number; in a list, an item's
 * position (a number) or its key (a string).
 * @typedef {number | string} Step
 */

/**
 * The value at `path` (`[]` is the root) and the list it is an item of, when it is one.
 * @param {Rendered} rendered
 * @param {readonly Step[]} path
 * @returns {[TreeValue | TreeItem | undefined, any]}
 */
function find(rendered, path) {
  /** @type {any} */
  let value = rendered.root ?? undefined;
  /** @type {any} */
  let list;
  for (const step of path) {
    if (value?.kind == "list") {
      list = value;
      value =
        typeof step == "number"
          ? value.items[step]
          : value.items.find((/** @type {TreeItem} */ it) => itemKey(it, list.idKey) === step);
    } else value = typeof step == "number" && typeof value == "object" ? value.slots[step] : undefined;
  }
  return [value, list];
}

/**
 * The value at `path` (`[]` is the root): a node, a list, an item or text; `undefined` when
 * nothing is there.
 * @param {Rendered} rendered
 * @param {readonly Step[]} path
 * @returns {TreeValue | TreeItem | undefined}
 */
export const valueAt = (rendered, path) => find(rendered, path)[0];

/**
 * The HTML of the value at `path` — text, a node, a whole list, or one item (`[1, "p7"]`: the
 * item with key `"p7"` of the list in slot 1) — or `undefined` when nothing is there.
 * @param {Rendered} rendered
 * @param {readonly Step[]} path
 * @returns {string | undefined}
 * @throws {import("./errors.js").ApplyError} `TooLarge`; `SlotCount`
 */
export function htmlAt(rendered, path) {
  const [value, list] = find(rendered, path);
  return value === undefined
    ? value
    : render(typeof value != "string" && value.kind == "item" ? { statics: list.statics, slots: value.slots } : value);
}

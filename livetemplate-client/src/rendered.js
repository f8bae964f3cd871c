// Rendered: the tree cache of one live region — pure data, no DOM. Merges each frame's tree
// into the cached tree, exactly as livetemplate/src/wire/apply.rs does for our client.

import { expandTree } from "./compact.js";
import { ITEMS } from "./constants.js";
import { ROOT, jsonError, noTree, shape } from "./errors.js";
import { renderSlots, renderValue } from "./html.js";
import { mergeNode } from "./patch.js";
import { StaticsCache, has, hasStatics, isObject, itemKey, node, resolveStatics } from "./tree.js";

/** @typedef {import("./tree.js").Statics} Statics */
/** @typedef {import("./tree.js").TreeNode} TreeNode */
/** @typedef {import("./tree.js").TreeList} TreeList */
/** @typedef {import("./tree.js").TreeItem} TreeItem */
/** @typedef {import("./tree.js").TreeValue} TreeValue */
/** @typedef {import("./patch.js").Change} Change */

/**
 * A step of a path into the tree: in a node or an item, a slot number; in a list, an item's
 * position (a number) or its key (a string).
 * @typedef {number | string} Step
 */

/**
 * The tree the server sent, with every update merged in.
 *
 * The template
 * `<h1>{{ title }}</h1><ul>{% for p in items %}<li data-key="{{ p.id }}">{{ p.name }}</li>{% endfor %}</ul>`
 * arrives first as a whole tree: the statics `"s"` around the slots `"0"`, `"1"`, …, each
 * statics table with its id `"f"`; the loop is a list node whose items share its statics:
 *
 * ```js
 * const rendered = new Rendered();
 * rendered.applyTree({
 *   s: ["<h1>", "</h1><ul>", "</ul>"], f: 0, 0: "Cart",
 *   1: { s: ['<li data-key="', '">', "</li>"], f: 1,
 *        d: [{ 0: "p7", 1: "Apples" }], m: { idKey: "0" } },
 * });
 * rendered.applyTree({ 0: "My cart", 1: [["a", [{ 0: "p9", 1: "Kiwis" }]]] });
 * rendered.toHTML();
 * // '<h1>My cart</h1><ul><li data-key="p7">Apples</li><li data-key="p9">Kiwis</li></ul>'
 * rendered.htmlAt([1, "p9"]); // '<li data-key="p9">Kiwis</li>'
 * ```
 *
 * Updates hold only what changed: a value with `"s"` or `"f"` replaces the slot's subtree
 * (`"f"` alone names statics sent before), any other object merges into the node there, an
 * array is list operations (`r`, `u`, `i`, `a`, `p`, `o`) on the list there. Items are named
 * by `"_k"`, else by the text of the slot `m.idKey` names.
 *
 * The tree is immutable: each frame builds new nodes along the paths it changes and shares
 * the rest, so `root` before and after a frame can be compared by identity. A frame that
 * does not apply throws an `ApplyError` and changes nothing, statics cache included.
 */
export class Rendered {
  /** @type {TreeNode | null} */
  #root = null;
  #statics = new StaticsCache();

  /** The tree held, or `null` before the first whole tree. */
  get root() {
    return this.#root;
  }

  /** The number of statics tables cached by `"f"` id. */
  get staticsCount() {
    return this.#statics.size;
  }

  /**
   * Applies the `"tree"` value of one frame — a whole tree, or an update of the tree held —
   * given as JSON text or as the parsed value, in plain or short forms (`compact.js`).
   * Returns what changed, for the DOM patcher
   * (`patchRegion` in `dom/patch.js`): `null` when nothing did, a `replace` for a whole tree,
   * else a `node` change of the root naming the changed slots.
   * @param {unknown} tree
   * @returns {Change | null}
   * @throws {ApplyError} when the frame does not apply; the tree is then left as it was
   */
  applyTree(tree) {
    try {
      const change = this.#next(expandTree(typeof tree === "string" ? parse(tree) : tree));
      if (change !== null) this.#root = /** @type {TreeNode} */ (change.value);
      this.#statics.commit();
      return change;
    } finally {
      this.#statics.rollback();
    }
  }

  /**
   * @param {unknown} tree
   * @returns {Change | null}
   */
  #next(tree) {
    if (!isObject(tree)) throw shape(ROOT, "an object");
    const root = this.#root;
    if (hasStatics(tree)) {
      if (has(tree, ITEMS)) throw shape(ROOT, "a node at the root, not a list");
      const value = node(tree, resolveStatics(tree, this.#statics, ROOT), this.#statics, ROOT);
      return { kind: "replace", old: root, value };
    }
    if (root === null) throw noTree();
    return mergeNode(root, tree, this.#statics, ROOT);
  }

  /**
   * The HTML of the whole tree, as the page shows it inside the live region.
   * @returns {string}
   * @throws {ApplyError} `NoTree` before the first whole tree; `TooLarge`; `SlotCount`
   */
  toHTML() {
    const root = this.#root;
    if (root === null) throw noTree();
    return renderSlots(root.statics, root.slots, ROOT);
  }

  /**
   * The value at `path` (`[]` is the root): a node, a list, an item or text; `undefined`
   * when nothing is there.
   * @param {readonly Step[]} path
   * @returns {TreeValue | TreeItem | undefined}
   */
  valueAt(path) {
    return this.#find(path)?.value;
  }

  /**
   * The HTML of the value at `path` — text, a node, a whole list, or one item (`[1, "p7"]`:
   * the item with key `"p7"` of the list in slot 1) — or `undefined` when nothing is there.
   * @param {readonly Step[]} path
   * @returns {string | undefined}
   * @throws {ApplyError} `TooLarge`; `SlotCount`
   */
  htmlAt(path) {
    const found = this.#find(path);
    if (found === undefined) return undefined;
    const { value, list } = found;
    if (typeof value !== "string" && value.kind === "item") {
      return renderSlots(/** @type {TreeList} */ (list).statics, value.slots, ROOT);
    }
    return renderValue(value, ROOT);
  }

  /**
   * @param {readonly Step[]} path
   * @returns {{ value: TreeValue | TreeItem, list: TreeList | null } | undefined}
   */
  #find(path) {
    /** @type {TreeValue | TreeItem | null} */
    let value = this.#root;
    /** @type {TreeList | null} */
    let list = null;
    for (const step of path) {
      if (value === null || typeof value === "string") return undefined;
      if (value.kind === "list") {
        list = value;
        value = listItem(value, step) ?? null;
      } else {
        /** @type {TreeValue | undefined} */
        const slot = typeof step === "number" ? value.slots[step] : undefined;
        value = slot ?? null;
      }
    }
    return value === null ? undefined : { value, list };
  }
}

/**
 * A list's item by position (a number) or by key (a string).
 * @param {TreeList} list
 * @param {Step} step
 * @returns {TreeItem | undefined}
 */
function listItem(list, step) {
  if (typeof step === "number") return list.items[step];
  return list.items.find((it) => itemKey(it, list.idKey) === step);
}

/**
 * @param {string} text
 * @returns {unknown}
 */
function parse(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw jsonError(err instanceof Error ? err.message : String(err));
  }
}

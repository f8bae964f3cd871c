// Rendered: the tree cache of one live region — pure data, no DOM. Merges each frame's tree
// into the cached tree, exactly as livetemplate/src/testing/client/ does for our client.

import { DEV, ITEMS } from "./constants.js";
import { ROOT, expect, fail } from "./errors.js";
import { render } from "./html.js";
import { merge } from "./patch.js";
import { hasStatics } from "./tree.js";

/** @typedef {import("./tree.js").TreeNode} TreeNode */
/** @typedef {import("./patch.js").Change} Change */

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
 * ```
 *
 * Updates hold only what changed: a value with `"s"` or `"f"` replaces the slot's subtree
 * (`"f"` alone names statics sent before), any other object merges into the node there, an
 * array is list operations (`r`, `u`, `i`, `a`, `p`, `o`) on the list there. Items are named
 * by `"_k"`, else by the text of the slot `m.idKey` names. Our client's short forms are read
 * too (livetemplate/src/wire/encode.rs): whole numbers as numbers, `[id, slot0, …]` for a
 * node whose statics the client holds, items as arrays of slots, and list operations
 * `[code, …args]` (0 remove keys, 1 update, 2 insert, 3 append, 4 prepend, 5 reorder).
 *
 * The tree is immutable: each frame builds new nodes along the paths it changes and shares
 * the rest, so `root` before and after a frame can be compared by identity. A frame that
 * does not apply throws an `ApplyError` and changes nothing, statics cache included.
 */
export class Rendered {
  /** @type {TreeNode | null} */
  #root = null;
  /** @type {import("./tree.js").StaticsCache} */
  #statics = new Map();

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
   * given as JSON text or as the parsed value, in plain or short forms. Returns what changed,
   * for the DOM patcher (`patchRegion` in `dom/patch.js`): `null` when nothing did, a
   * `replace` for a whole tree, else a `node` change of the root naming the changed slots.
   * @param {unknown} tree
   * @returns {Change | null}
   * @throws {import("./errors.js").ApplyError} when the frame does not apply; the tree is then left as it was
   */
  applyTree(tree) {
    const cache = new Map(this.#statics);
    const root = this.#root;
    if (typeof tree == "string") {
      try {
        tree = JSON.parse(tree);
      } catch (err) {
        throw fail("Json", null, {}, /** @type {Error} */ (err).message);
      }
    }
    expect(
      typeof tree == "object" && tree && !(hasStatics(tree) && ITEMS in tree),
      ROOT,
      DEV && (tree && typeof tree == "object" ? "a node at the root, not a list" : "an object"),
    );
    const change = merge(root, tree, cache, ROOT);
    if (change) this.#root = /** @type {TreeNode} */ (change.value);
    this.#statics = cache;
    return change;
  }

  /**
   * The HTML of the whole tree, as the page shows it inside the live region.
   * @returns {string}
   * @throws {import("./errors.js").ApplyError} `NoTree` before the first whole tree; `TooLarge`; `SlotCount`
   */
  toHTML() {
    if (!this.#root) throw fail("NoTree");
    return render(this.#root);
  }
}

// Rendering the tree cache as HTML: statics and slots interleaved, lists item after item.

import { MAX_HTML } from "./constants.js";
import { ROOT, child, fail, slotCount } from "./errors.js";

/** @typedef {import("./errors.js").Path} Path */
/** @typedef {import("./tree.js").Statics} Statics */
/** @typedef {import("./tree.js").TreeValue} TreeValue */

/**
 * The HTML of a value: text as is, a node (or a list item: `{statics, slots}`) as
 * `statics[0] + slots[0] + statics[1] + …`, a list as its items one after another.
 * @param {TreeValue | { kind?: "item", statics: Statics, slots: readonly TreeValue[] }} value
 * @param {Path} [path]
 * @returns {string}
 * @throws {import("./errors.js").ApplyError} `TooLarge`; `SlotCount` when a list's new statics do not fit its items
 */
export function render(value, path = ROOT) {
  let html = "";
  /** @param {TreeValue | { kind?: "item", statics: Statics, slots: readonly TreeValue[] }} value @param {Path} path */
  const add = (value, path) => {
    if (typeof value == "string") html += value;
    else if (value.kind == "list") {
      value.items.forEach((it, n) => node(value.statics, it.slots, child(path, n)));
    } else node(value.statics, value.slots, path);
  };
  /** @param {Statics} statics @param {readonly TreeValue[]} slots @param {Path} path */
  const node = (statics, slots, path) => {
    // A list's "a"/"p" may bring new statics that do not fit the items it already holds.
    if (slots.length != statics.length - 1) throw slotCount(path, statics.length - 1, slots.length);
    html += statics[0];
    slots.forEach((slot, i) => {
      add(slot, child(path, i));
      html += statics[i + 1];
      if (html.length > MAX_HTML) throw fail("TooLarge");
    });
  };
  add(value, path);
  return html;
}

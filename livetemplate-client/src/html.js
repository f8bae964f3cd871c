// Rendering the tree cache as HTML: statics and slots interleaved, lists item after item.

import { MAX_HTML } from "./constants.js";
import { child, shape, slotCount, tooLarge } from "./errors.js";

/** @typedef {import("./errors.js").Path} Path */
/** @typedef {import("./tree.js").Statics} Statics */
/** @typedef {import("./tree.js").TreeList} TreeList */
/** @typedef {import("./tree.js").TreeValue} TreeValue */

/**
 * The HTML of a node or an item: `statics[0] + slots[0] + statics[1] + …`.
 * @param {Statics} statics
 * @param {readonly TreeValue[]} slots
 * @param {Path} path
 * @returns {string}
 */
export function renderSlots(statics, slots, path) {
  const out = { html: "" };
  render(statics, slots, out, path);
  return out.html;
}

/**
 * The HTML of any value: text as is, a node, or a list's items one after another.
 * @param {TreeValue} value
 * @param {Path} path
 * @returns {string}
 */
export function renderValue(value, path) {
  if (typeof value === "string") return value;
  const out = { html: "" };
  if (value.kind === "node") render(value.statics, value.slots, out, path);
  else renderList(value, out, path);
  return out.html;
}

/**
 * @param {Statics} statics
 * @param {readonly TreeValue[]} slots
 * @param {{ html: string }} out
 * @param {Path} path
 */
function render(statics, slots, out, path) {
  if (statics.length === 0) throw shape(path, "statics with at least one part");
  // A list's "a"/"p" may bring new statics that do not fit the items it already holds.
  if (slots.length !== statics.length - 1) throw slotCount(path, statics.length - 1, slots.length);
  out.html += statics[0];
  for (let index = 0; index < slots.length; index++) {
    const slot = slots[index];
    if (typeof slot === "string") out.html += slot;
    else if (slot.kind === "node") render(slot.statics, slot.slots, out, child(path, index));
    else renderList(slot, out, child(path, index));
    out.html += statics[index + 1];
    if (out.html.length > MAX_HTML) throw tooLarge();
  }
}

/**
 * @param {TreeList} list
 * @param {{ html: string }} out
 * @param {Path} path
 */
function renderList(list, out, path) {
  list.items.forEach((item, n) => render(list.statics, item.slots, out, child(path, n)));
}

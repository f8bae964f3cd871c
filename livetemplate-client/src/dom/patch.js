// The targeted patcher: applies what `Rendered.applyTree` says changed to the live region's
// DOM, touching only the DOM that the changed slots cover, and falling back to morphing a
// larger enclosing element (at worst the whole region) whenever the statics do not say
// unambiguously where that DOM is. The result is always the DOM that morphing the whole
// region to `rendered.toHTML()` gives.

import { render as toHTML } from "../html.js";
import { attributes, morphNodes, move, parse } from "./morph.js";
import { count, shapeOf } from "./shape.js";

/** @typedef {import("../rendered.js").Rendered} Rendered */
/** @typedef {import("../patch.js").Change} Change */
/** @typedef {import("../patch.js").SlotChanges} SlotChanges */
/** @typedef {import("../tree.js").Statics} Statics */
/** @typedef {import("../tree.js").TreeValue} TreeValue */

/**
 * Thrown when a targeted patch cannot vouch for the DOM: a larger morph takes over (as it
 * does for anything else a targeted patch throws, such as parse() refusing HTML in SVG).
 */
const MISS = {};

/**
 * Runs `patch`; false when it threw.
 * @param {() => void} patch
 */
function tried(patch) {
  try {
    patch();
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the region's children match the whole tree (the first frame, a resync): a morph, so
 * the server-rendered page the region already shows is left as it is where it matches.
 * @param {Element} root the live region (`[data-lvt-id]`)
 * @param {Rendered} rendered
 */
export function renderRegion(root, rendered) {
  morphNodes(root, parse(root, rendered.toHTML()));
}

/**
 * Applies one frame's changes (what `rendered.applyTree(frame)` returned, after it returned)
 * to the region: only the DOM of the changed slots is touched; a keyed list operation touches
 * only the items it names.
 * @param {Element} root the live region
 * @param {Rendered} rendered the tree cache, holding the tree after the frame
 * @param {Change | null} change
 */
export function patchRegion(root, rendered, change) {
  if (change && (change.kind != "node" || !tried(() => patchSlots(change.value, change.slots, root, 0, true)))) {
    renderRegion(root, rendered);
  }
}

/**
 * Patches the changed slots of one node (or list item), in slot order, so that the DOM
 * before the slot being patched is always the new one and after it the old. The node's
 * top-level elements are among the element children of `parent`, after `base` others.
 * @param {{ statics: Statics, slots: readonly TreeValue[] }} node the node after the frame
 * @param {SlotChanges} changes
 * @param {Element} parent
 * @param {number} base
 * @param {boolean} [top] the node is the whole region, alone in `parent`
 */
function patchSlots({ statics, slots }, changes, parent, base, top = false) {
  // (No shape: `slot[j]` below throws a TypeError, a miss for the caller.)
  const { html, pos, els, slot, kids } = /** @type {import("./shape.js").Shape} */ (shapeOf(statics));
  /** The slots whose DOM is the new one: patched, or rendered into a morph. @type {Set<number>} */
  const done = new Set();

  /**
   * How many elements entry `k` of `kids` stands for in the DOM: a slot as many as its value
   * there renders, the new one once done, else the old one.
   * @param {number} k
   */
  const width = (k) => (k > 0 ? 1 : count(done.has(~k) ? slots[~k] : (changes.get(~k)?.old ?? slots[~k])));

  /**
   * How many elements come before entry `k` among the children of element `e` in the DOM.
   * @param {number} e @param {number} k
   */
  const offset = (e, k) => {
    let n = e ? 0 : base;
    for (const x of kids[e]) {
      if (x == k) return n;
      n += width(x);
    }
    throw MISS;
  };

  /**
   * The element `e` of the statics in the DOM, found by counting element children down from
   * the top and checked by tag.
   * @param {number} e
   * @returns {Element}
   */
  const locate = (e) => {
    if (!e) return parent;
    const { parent: up, tag } = els[e];
    return check(locate(up).children[offset(up, e)], tag);
  };

  /**
   * The statics from `from` to `to` with the slots there rendered in (their DOM is new once
   * this is morphed in).
   * @param {number} from
   * @param {number} to
   */
  const render = (from, to) => {
    let out = "";
    pos.forEach((p, x) => {
      if (p >= from && p <= to) {
        out += html.slice(from, p) + toHTML(slots[x]);
        from = p;
        done.add(x);
      }
    });
    return out + html.slice(from, to);
  };

  /**
   * Morphs the DOM of element `e`'s content between its children `a` and `b` (0: from its
   * start, to its end), `b` being the DOM element `end`.
   * @param {number} e @param {number} a @param {number} b @param {Element | null} end
   */
  const morphIn = (e, a, b, end) => {
    if (!e && !top && !(a && b)) throw MISS;
    const host = locate(e);
    const first = a ? locate(a).nextSibling : host.firstChild;
    const from = a ? els[a].end : els[e].open;
    morphNodes(host, parse(host, render(from, b ? els[b].start : els[e].close)), first, end);
  };

  for (const [j, change] of changes) {
    if (done.has(j)) continue;
    let e = slot[j];
    const inTag = pos[j] < els[e].open;
    // The static elements around the slot (for a morph): `a` before, `b` after it, located
    // now, while the slot's DOM is the old one.
    let a = 0;
    let b = 0;
    /** @type {Element | null} */
    let end = null;
    if (!inTag) {
      for (const k of kids[e]) {
        if (k > 0 && els[k].end <= pos[j]) a = k;
        else if (k > 0) b ||= k;
      }
      if (b && !tried(() => (end = locate(b)))) a = b = 0;
    }
    done.add(j);
    /**
     * Where the node or list in the slot is: its parent and base.
     * @returns {[Element, number]}
     */
    const inner = () => [locate(e), offset(e, ~j)];
    const patched = tried(() => {
      if (inTag) {
        // Only the start tag: the element's attributes.
        const { tag, start, open } = els[e];
        const el = locate(e);
        const fresh = parse(/** @type {Element} */ (el.parentNode), `<${render(start + 1, open - 1)}>`);
        attributes(el, check(fresh[0], tag));
      } else if (change.kind == "node") {
        patchSlots(change.value, change.slots, ...inner());
      } else if (change.kind == "list") {
        patchList(change, ...inner());
      } else throw MISS;
    });
    if (patched) continue;
    // A morph: of the DOM between the static elements around the slot, else of the content of
    // the innermost element around it that can be found, else of the whole region.
    if (inTag) e = els[e].parent;
    while (!tried(() => morphIn(e, a, b, end))) {
      if (a || b) {
        a = b = 0;
        end = null;
      }
      else if (e) e = els[e].parent;
      else throw MISS;
    }
  }
}

/**
 * Replays a list's operations on its item elements: the item statics must render elements
 * and whitespace only (`<li>…</li>`, `\n  <tr>…</tr>\n`), so that item `i` is element
 * children `base + i*k` to `base + i*k + k - 1`, with that whitespace around.
 * @param {Change & { kind: "list" }} change
 * @param {Element} parent
 * @param {number} base
 */
function patchList(change, parent, base) {
  const { statics } = change.value;
  // (A list slot in a <textarea> is in its raw text, never here.)
  if (/^(pre|listing)$/.test(parent.localName)) throw MISS;
  // No shape, a slot at the top level (no `els` entry) or no element there throw a TypeError.
  const { html, els, kids: [tops] } = /** @type {import("./shape.js").Shape} */ (shapeOf(statics));
  // Only whitespace outside the top-level elements.
  if (/[^ \t\n]/.test(tops.reduceRight((text, k) => text.slice(0, els[k].start) + text.slice(els[k].end), html))) {
    throw MISS;
  }
  const lead = els[tops[0]].start;
  const trail = html.length - els[tops[tops.length - 1]].end;
  const tags = tops.map((k) => els[k].tag);
  const k = tags.length;
  const children = parent.children;
  let n = change.old.items.length;

  /** The first element of item `i`. @param {number} i @param {string | null} [key] */
  const at = (i, key) => {
    const el = check(children[base + i * k], tags[0]);
    if (key != null && (el.getAttribute("data-key") ?? key) != key) throw MISS;
    return el;
  };
  /** Where the item starting at `el` starts, its whitespace included. @param {Element} el */
  const before = (el) => edge(el, lead, true);
  /** Where the item starting at `el` ends, its whitespace included. @param {Element} el */
  const after = (el) => {
    for (let m = 1; m < k; m++) el = check(el.nextElementSibling, tags[m]);
    return edge(el, trail, false);
  };
  /** Where an item goes after the item starting at `prev` (`false`: first). @param {Element | false} prev */
  const spot = (prev) => (prev ? after(prev) : before(at(0)));
  /** The nodes of the item starting at `el`, whitespace around included. @param {Element} el */
  const run = (el) => {
    /** @type {Node[]} */
    const nodes = [];
    for (let x = before(el), end = after(el); x && x != end; x = x.nextSibling) nodes.push(x);
    return nodes;
  };
  /** @param {Element} el */
  const remove = (el) => {
    for (const x of run(el)) parent.removeChild(x);
  };

  for (const op of change.ops) {
    if (op.op == "remove") {
      remove(at(op.index, op.key));
      n--;
    } else if (op.op == "update") {
      // (When the item's own patch misses, its DOM is not what the tree says: the caller
      // morphs the list's range.)
      at(op.index, op.key);
      patchSlots({ ...op.item, statics }, op.slots, parent, base + op.index * k);
    } else if (op.op == "insert") {
      if (!n) throw MISS; // nothing to stand by: the caller morphs the list's range
      const ref = spot(op.index > 0 && at(op.index - 1));
      for (const x of parse(parent, toHTML({ ...change.value, items: op.items }))) parent.insertBefore(x, ref);
      n += op.items.length;
    } else {
      // Reorder: the longest run of items already in order stays, the others move.
      const { order } = op;
      /** @type {Element[]} */
      const firsts = [];
      for (let i = 0; i < n; i++) firsts.push(at(i));
      const named = new Set(order);
      firsts.forEach((el, i) => named.has(i) || remove(el));
      const keep = increasing(order);
      order.forEach((from, p) => {
        if (keep[p]) return;
        const nodes = run(firsts[from]);
        const ref = spot(p > 0 && firsts[order[p - 1]]);
        if (nodes[0] != ref) for (const x of nodes) move(parent, x, ref);
      });
      n = order.length;
    }
  }
}

/**
 * The node `n` characters of text before (`back`) or after `x`: splits a text node there
 * if needed. Throws MISS when there is no such text.
 * @param {Node} x
 * @param {number} n
 * @param {boolean} back
 * @returns {Node | null}
 */
function edge(x, n, back) {
  while (n) {
    const t = back ? x.previousSibling : x.nextSibling;
    if (t?.nodeType != 3) throw MISS;
    const len = /** @type {Text} */ (t).data.length;
    if (len > n) return /** @type {Text} */ (t).splitText(back ? len - n : n);
    n -= len;
    x = t;
  }
  return back ? x : x.nextSibling;
}

/**
 * Which positions of `seq` belong to one longest increasing subsequence.
 * @param {readonly number[]} seq
 * @returns {boolean[]}
 */
function increasing(seq) {
  /** @type {number[]} */
  const tails = [];
  /** @type {number[]} */
  const prev = [];
  seq.forEach((v, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = tails[lo - 1];
    tails[lo] = i;
  });
  /** @type {boolean[]} */
  const keep = [];
  for (let i = tails[tails.length - 1]; i >= 0; i = prev[i]) keep[i] = true;
  return keep;
}

/**
 * `node` when it is an element with tag `tag`, else MISS.
 * @param {Node | null | undefined} node
 * @param {string} tag
 * @returns {Element}
 */
function check(node, tag) {
  if (node?.nodeName.toLowerCase() != tag) throw MISS;
  return /** @type {Element} */ (node);
}

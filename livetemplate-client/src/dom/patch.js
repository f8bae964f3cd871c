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
/** @typedef {import("../tree.js").TreeList} TreeList */
/** @typedef {import("../tree.js").TreeItem} TreeItem */

/**
 * Where a node's top-level elements are: among the element children of `parent`, after
 * `base` others and before `tail` others. `top`: the node is the whole region.
 * @typedef {{ parent: Element, base: number, tail: number, top: boolean }} Place
 */

/** HTML start tags that leave SVG/MathML when the whole page is parsed, but not in a fragment. */
const BREAKOUT = /<(b|big|blockquote|body|br|center|code|dd|div|dl|dt|em|embed|h[1-6]|head|hr|i|img|li|listing|menu|meta|nobr|ol|p|pre|ruby|s|small|span|strong|strike|sub|sup|table|tt|u|ul|var|font)[\s/>]/i;

/**
 * The nodes `html` parses to inside `host`; MISS when a parse of the whole page would put
 * them elsewhere (HTML tags inside SVG/MathML).
 * @param {Element} host
 * @param {string} html
 */
function fragment(host, html) {
  if (host.namespaceURI !== "http://www.w3.org/1999/xhtml" && BREAKOUT.test(html)) throw MISS;
  return parse(host, html);
}

/** Thrown when a targeted patch cannot vouch for the DOM: a larger morph takes over. */
const MISS = {};

/**
 * Makes the region's children match the whole tree (the first frame, a resync): a morph, so
 * the server-rendered page the region already shows is left as it is where it matches.
 * @param {Element} root the live region (`[data-lvt-id]`)
 * @param {Rendered} rendered
 */
export function renderRegion(root, rendered) {
  morphNodes(root, parse(root, rendered.toHTML()), root.firstChild, null);
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
  const tree = rendered.root;
  if (!change || !tree) return;
  if (change.kind === "node") {
    try {
      return patchSlots(tree.statics, tree.slots, change.slots, { parent: root, base: 0, tail: 0, top: true });
    } catch (err) {
      if (err !== MISS) throw err;
    }
  }
  renderRegion(root, rendered);
}

/**
 * Patches the changed slots of one node (or list item) placed at `place`, in slot order, so
 * that the DOM before the slot being patched is always the new one and after it the old.
 * @param {Statics} statics
 * @param {readonly TreeValue[]} slots the slots after the frame
 * @param {SlotChanges} changes
 * @param {Place} place
 */
function patchSlots(statics, slots, changes, place) {
  const shape = shapeOf(statics);
  if (!shape) throw MISS;
  const { html, pos, els, slot, attr, kids } = shape;
  let now = -1;
  // The positions whose DOM a morph has already made new.
  let doneFrom = 1;
  let doneTo = 0;
  /** @param {number} x */
  const done = (x) => pos[x] >= doneFrom && pos[x] <= doneTo;

  /**
   * How many elements an entry of `kids` stands for in the DOM: a slot's new value (patched)
   * or its old one.
   * @param {number} k
   */
  const width = (k) => (k >= 0 ? 1 : count(~k < now || done(~k) ? slots[~k] : (changes.get(~k)?.old ?? slots[~k])));

  /**
   * The element `e` of the statics in the DOM, found by counting element children down from
   * the top and checked by tag; `fromEnd`: counting from the end (an element after the slot
   * being patched).
   * @param {number} e
   * @param {boolean} [fromEnd]
   * @returns {Element}
   */
  const locate = (e, fromEnd) => {
    const parent = els[e].parent;
    const host = parent < 0 ? place.parent : locate(parent);
    const list = kids[parent + 1];
    let index = parent < 0 ? place[fromEnd ? "tail" : "base"] : 0;
    for (let n = fromEnd ? list.length - 1 : 0; list[n] !== e; fromEnd ? n-- : n++) index += width(list[n]);
    const children = host.children;
    return check(children[fromEnd ? children.length - 1 - index : index], els[e].tag);
  };

  /**
   * The statics from `from` to `to` with the slots at positions `lo` to `hi` rendered in.
   * @param {number} from
   * @param {number} to
   */
  const render = (from, to, lo = from, hi = to) => {
    let out = "";
    let at = from;
    pos.forEach((p, x) => {
      if (p >= lo && p <= hi) {
        out += html.slice(at, p) + toHTML(slots[x]);
        at = p;
      }
    });
    return out + html.slice(at, to);
  };

  /**
   * Morphs the nodes of `host` from `first` to `end` to the statics from `from` to `to`.
   * @param {Element} host @param {number} from @param {number} to
   * @param {Node | null} first @param {Node | null} end
   */
  const morphRange = (host, from, to, first = host.firstChild, end = null) => {
    morphNodes(host, fragment(host, render(from, to)), first, end);
    doneFrom = from;
    doneTo = to;
  };

  /**
   * Morphs the DOM between the static elements around slot `j` (or its parent's start/end).
   * @param {number} j
   */
  const range = (j) => {
    if (attr[j]) throw MISS;
    const p = slot[j];
    let a = -1;
    let b = -1;
    for (const k of kids[p + 1]) {
      if (k >= 0 && els[k].end <= pos[j]) a = k;
      else if (k >= 0 && b < 0) b = k;
    }
    if (p < 0 && !place.top && (a < 0 || b < 0)) throw MISS;
    const host = p < 0 ? place.parent : locate(p);
    morphRange(
      host,
      a >= 0 ? els[a].end : p >= 0 ? els[p].open : 0,
      b >= 0 ? els[b].start : p >= 0 ? els[p].close : html.length,
      a >= 0 ? locate(a).nextSibling : host.firstChild,
      b >= 0 ? locate(b, true) : null,
    );
  };

  /**
   * The place of the node or list in slot `j`.
   * @param {number} j
   * @returns {Place}
   */
  const placeOf = (j) => {
    const p = slot[j];
    const list = kids[p + 1];
    const at = list.indexOf(~j);
    if (at < 0) throw MISS;
    let base = p < 0 ? place.base : 0;
    let tail = p < 0 ? place.tail : 0;
    list.forEach((k, n) => {
      if (n < at) base += width(k);
      else if (n > at) tail += width(k);
    });
    return { parent: p < 0 ? place.parent : locate(p), base, tail, top: false };
  };

  for (const [j, change] of changes) {
    if (done(j)) continue;
    now = j;
    try {
      try {
        if (attr[j]) {
          // Only the start tag: the element's attributes.
          const e = els[slot[j]];
          const el = locate(slot[j]);
          const tag = render(e.start, e.open, e.start + 1, e.open - 1);
          const fresh = parse(/** @type {Element} */ (el.parentNode), `${tag}</${e.tag}>`)[0];
          attributes(el, check(fresh, e.tag));
          doneFrom = e.start + 1;
          doneTo = e.open - 1;
        } else if (change.kind == "node") {
          patchSlots(change.value.statics, change.value.slots, change.slots, placeOf(j));
        } else if (change.kind == "list") {
          patchList(change, placeOf(j));
        } else {
          range(j);
        }
      } catch (err) {
        if (err !== MISS || change.kind == "replace") throw err;
        range(j);
      }
    } catch (err) {
      if (err !== MISS) throw err;
      // The last resort: morph the content of the innermost element around the slot that can
      // be found, or the whole region.
      for (let e = attr[j] ? els[slot[j]].parent : slot[j]; ; e = els[e].parent) {
        if (e < 0) {
          if (!place.top) throw MISS;
          morphRange(place.parent, 0, html.length);
          break;
        }
        try {
          morphRange(locate(e), els[e].open, els[e].close);
          break;
        } catch (err) {
          if (err !== MISS) throw err;
        }
      }
    }
  }
}

/**
 * Replays a list's operations on its item elements: the item statics must render elements
 * and whitespace only (`<li>…</li>`, `\n  <tr>…</tr>\n`), so that item `i` is element
 * children `base + i*k` to `base + i*k + k - 1`, with that whitespace around.
 * @param {Change & { kind: "list" }} change
 * @param {Place} place
 */
function patchList(change, { parent, base, tail }) {
  const { statics } = change.value;
  const shape = shapeOf(statics);
  if (!shape || shape.lead < 0 || /^(pre|textarea|listing)$/.test(parent.localName)) throw MISS;
  const { lead, trail, els } = shape;
  const tags = shape.kids[0].map((e) => els[e].tag);
  const k = tags.length;
  const children = parent.children;
  let n = change.old.items.length;

  /** The first element of item `i`. @param {number} i @param {string | null} [key] */
  const at = (i, key = null) => {
    const el = check(children[base + i * k], tags[0]);
    const own = el.getAttribute("data-key");
    if (key !== null && own !== null && own !== key) throw MISS;
    return el;
  };
  /** The last element of the item starting at `el`. @param {Element} el */
  const lastOf = (el) => {
    for (let m = 1; m < k; m++) el = check(el.nextElementSibling, tags[m]);
    return el;
  };
  /** The nodes of the item starting at `el`, whitespace around included. @param {Element} el */
  const run = (el) => {
    /** @type {Node[]} */
    const nodes = [];
    for (let x = edge(el, lead, true), end = edge(lastOf(el), trail, false); x !== end; x = x.nextSibling) {
      if (!x) throw MISS;
      nodes.push(x);
    }
    return nodes;
  };
  /** @param {readonly TreeItem[]} items */
  const fresh = (items) => fragment(parent, items.map((it) => toHTML({ statics, slots: it.slots })).join(""));

  for (const op of change.ops) {
    if (op.op === "remove") {
      for (const x of run(at(op.index, op.key))) parent.removeChild(x);
      n -= 1;
    } else if (op.op === "update") {
      const el = at(op.index, op.key);
      try {
        const place = { parent, base: base + op.index * k, tail: tail + (n - op.index - 1) * k, top: false };
        patchSlots(statics, op.item.slots, op.slots, place);
      } catch (err) {
        if (err !== MISS) throw err;
        // The item element itself, morphed to the item's new HTML.
        const nodes = fresh([op.item]).slice(lead > 0 ? 1 : 0);
        if (trail > 0) nodes.pop();
        morphNodes(parent, nodes, el, lastOf(el).nextSibling);
      }
    } else if (op.op === "insert") {
      if (n === 0) throw MISS; // nothing to stand by: the caller morphs the list's range
      const ref = op.index > 0 ? edge(lastOf(at(op.index - 1)), trail, false) : edge(at(0), lead, true);
      for (const x of fresh(op.items)) parent.insertBefore(x, ref);
      n += op.items.length;
    } else {
      // Reorder: the longest run of items already in order stays, the others move.
      const { order } = op;
      /** @type {Element[]} */
      const firsts = [];
      for (let i = 0; i < n; i++) firsts.push(at(i));
      const named = new Set(order);
      firsts.forEach((el, i) => {
        if (!named.has(i)) for (const x of run(el)) parent.removeChild(x);
      });
      const keep = increasing(order);
      order.forEach((from, p) => {
        if (keep[p]) return;
        const nodes = run(firsts[from]);
        const ref =
          p > 0 ? edge(lastOf(firsts[order[p - 1]]), trail, false) : edge(check(children[base], tags[0]), lead, true);
        if (nodes[0] !== ref) for (const x of nodes) move(parent, x, ref);
      });
      n = order.length;
    }
  }
}

/**
 * The node `n` characters of text before (`back`) or after `el`: splits a text node there
 * if needed. Throws MISS when there is no such text.
 * @param {Node} el
 * @param {number} n
 * @param {boolean} back
 * @returns {Node | null}
 */
function edge(el, n, back) {
  let x = el;
  for (;;) {
    if (n === 0) return back ? x : x.nextSibling;
    const t = back ? x.previousSibling : x.nextSibling;
    if (!t || t.nodeType !== 3) throw MISS;
    const len = /** @type {Text} */ (t).data.length;
    if (len > n) return /** @type {Text} */ (t).splitText(back ? len - n : n);
    n -= len;
    x = t;
  }
}

/**
 * Which positions of `seq` belong to one longest increasing subsequence.
 * @param {readonly number[]} seq
 * @returns {boolean[]}
 */
function increasing(seq) {
  /** @type {number[]} */
  const tails = [];
  const prev = new Array(seq.length);
  seq.forEach((v, i) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seq[tails[mid]] < v) lo = mid + 1;
      else hi = mid;
    }
    prev[i] = lo > 0 ? tails[lo - 1] : -1;
    tails[lo] = i;
  });
  const keep = new Array(seq.length).fill(false);
  for (let i = tails.length ? tails[tails.length - 1] : -1; i >= 0; i = prev[i]) keep[i] = true;
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

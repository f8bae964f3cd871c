// Where each slot of a statics table sits in the HTML: a small tag scanner over the statics
// (slots are holes between them) finds the elements the statics open and close, and for each
// slot the element it is in and whether it is inside a tag (an attribute) or between tags.
// The patcher uses it to find the smallest DOM that a changed slot covers.

/** @typedef {import("../tree.js").Statics} Statics */
/** @typedef {import("../tree.js").TreeValue} TreeValue */
/** @typedef {import("../tree.js").TreeItem} TreeItem */

/**
 * An element the statics open and close. Offsets are into `Shape.html`: `start` at its `<`,
 * `open` after its start tag, `close` at its end tag's `<`, `end` after its end tag (`open`
 * for void elements).
 * @typedef {{ tag: string, parent: number, start: number, open: number, close: number,
 *   end: number }} El
 */

/**
 * The statics of a node or of a list's items, analysed. `html` is the statics joined and
 * `pos[j]` the offset of slot `j` in it. `slot[j]` is the element slot `j` is in (`-1`: the
 * top level) and `attr[j]` whether it is inside that element's start tag. `kids[e + 1]` is
 * the sequence of element children of element `e` (`-1`: the top level): `n >= 0` for the
 * element `els[n]`, `~j` for slot `j`, a slot between tags that may hold elements.
 * `lead`/`trail`: the length of the whitespace before the first and after the last top-level
 * element when the top level is only whitespace and elements (else `-1`).
 * @typedef {{ html: string, pos: number[], els: El[], slot: number[], attr: boolean[],
 *   kids: number[][], lead: number, trail: number }} Shape
 */

const VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)$/;
const RAW = /^(script|style|textarea|title|xmp|iframe|noembed|noframes)$/;

/** @type {WeakMap<Statics, Shape | null>} */
const shapes = new WeakMap();

/**
 * The shape of `statics`, or `null` when the scanner cannot vouch for it (a slot inside a
 * tag name or an end tag, end tags that do not match, elements left open, `<noscript>`,
 * `<plaintext>`, a carriage return).
 * @param {Statics} statics
 * @returns {Shape | null}
 */
export function shapeOf(statics) {
  let shape = shapes.get(statics);
  if (shape === undefined) shapes.set(statics, (shape = scan(statics)));
  return shape;
}

/**
 * @param {Statics} statics
 * @returns {Shape | null}
 */
function scan(statics) {
  const html = statics.join("");
  if (html.includes("\r")) return null;
  /** @type {number[]} */
  const pos = [];
  let at = 0;
  for (let j = 0; j < statics.length - 1; j++) pos.push((at += statics[j].length));
  /** @type {El[]} */
  const els = [];
  /** @type {number[][]} */
  const kids = [[]];
  /** @type {number[]} */
  const slot = [];
  /** @type {boolean[]} */
  const attr = [];
  /** @type {number[]} */
  const stack = [];
  // 0 text, 1 tag name, 2 in a start tag, 3 in "…", 4 in '…', 5 end tag, 6 comment,
  // 7 raw text, 8 <!…>
  let state = 0;
  let j = 0;
  let cur = -1; // the element whose start tag is being read, or the raw text element
  let mark = 0;
  const top = () => (stack.length ? stack[stack.length - 1] : -1);
  for (let i = 0; ; i++) {
    for (; j < pos.length && pos[j] === i; j++) {
      if (state === 1 || state === 5 || state === 8) return null;
      const inTag = state >= 2 && state <= 4;
      const el = inTag || state === 7 ? cur : top();
      slot.push(el);
      attr.push(inTag);
      if (state === 0) kids[el + 1].push(~j);
    }
    if (i >= html.length) break;
    const c = html[i];
    if (state === 0) {
      if (c !== "<") continue;
      const next = html[i + 1] ?? "";
      if (/[a-zA-Z]/.test(next)) {
        cur = els.length;
        els.push({ tag: "", parent: top(), start: i, open: 0, close: 0, end: 0 });
        kids[top() + 1].push(cur);
        kids.push([]);
        mark = i + 1;
        state = 1;
      } else if (next === "/" && /[a-zA-Z]/.test(html[i + 2] ?? "")) {
        mark = i;
        state = 5;
      } else if (html.startsWith("!--", i + 1)) {
        i += 3;
        state = 6;
      } else if (next === "!" || next === "?") state = 8;
    } else if (state === 1 || state === 2) {
      if (state === 1 && !/[\s/>]/.test(c)) continue;
      if (state === 1) {
        els[cur].tag = html.slice(mark, i).toLowerCase();
        if (/^(noscript|plaintext)$/.test(els[cur].tag)) return null;
        state = 2;
      }
      if (c === '"') state = 3;
      else if (c === "'") state = 4;
      else if (c === ">") {
        const el = els[cur];
        el.open = i + 1;
        // In <svg>/<math> a start tag ending in "/>" closes itself.
        const foreign = html[i - 1] === "/" && [cur, ...stack].some((e) => /^(svg|math)$/.test(els[e].tag));
        if (VOID.test(el.tag) || foreign) {
          el.close = el.end = el.open;
          state = 0;
        } else if (RAW.test(el.tag)) {
          state = 7;
        } else {
          stack.push(cur);
          state = 0;
        }
      }
    } else if (state === 3 || state === 4) {
      if (c === (state === 3 ? '"' : "'")) state = 2;
    } else if (state === 5) {
      if (c !== ">") continue;
      const tag = html.slice(mark + 2, i).trim().toLowerCase();
      const open = stack.pop();
      if (open === undefined || els[open].tag !== tag) return null;
      els[open].close = mark;
      els[open].end = i + 1;
      state = 0;
    } else if (state === 6) {
      if (html.startsWith("-->", i)) {
        i += 2;
        state = 0;
      }
    } else if (state === 7) {
      const el = els[cur];
      if (c === "<" && html[i + 1] === "/" && html.slice(i + 2, i + 2 + el.tag.length).toLowerCase() === el.tag) {
        el.close = i;
        mark = i;
        state = 5;
        stack.push(cur);
      }
    } else if (c === ">") state = 0;
  }
  if (state !== 0 || stack.length) return null;
  // The top level of a list item: whitespace and elements only.
  let lead = -1;
  let trail = -1;
  const tops = kids[0];
  if (tops.length && tops.every((k) => k >= 0)) {
    let gaps = "";
    let from = 0;
    for (const k of tops) {
      gaps += html.slice(from, els[k].start);
      from = els[k].end;
    }
    if (/^[ \t\n]*$/.test(gaps + html.slice(from))) {
      lead = els[tops[0]].start;
      trail = html.length - from;
    }
  }
  return { html, pos, els, slot, attr, kids, lead, trail };
}

/**
 * How many top-level elements `value` renders, `NaN` when unknown (HTML text the scanner
 * cannot read).
 * @param {TreeValue} value
 * @returns {number}
 */
export function count(value) {
  if (typeof value === "string") {
    return value.includes("<") ? countIn(shapeOf([value]), []) : 0;
  }
  const shape = shapeOf(value.statics);
  if (value.kind === "node") return countIn(shape, value.slots);
  if (shape && shape.lead >= 0) return shape.kids[0].length * value.items.length;
  let n = 0;
  for (const it of value.items) n += countIn(shape, it.slots);
  return n;
}

/**
 * @param {Shape | null} shape
 * @param {readonly TreeValue[]} slots
 * @returns {number}
 */
function countIn(shape, slots) {
  if (!shape) return NaN;
  let n = 0;
  for (const k of shape.kids[0]) n += k >= 0 ? 1 : count(slots[~k]);
  return n;
}

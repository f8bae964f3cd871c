// Where each slot of a statics table sits in the HTML: a small tokenizer over the statics
// (slots are holes between them) finds the elements the statics open and close, and for each
// slot the element it is in: inside its start tag (an attribute), or between tags.
// The patcher uses it to find the smallest DOM that a changed slot covers.

/** @typedef {import("../tree.js").Statics} Statics */
/** @typedef {import("../tree.js").TreeValue} TreeValue */

/**
 * An element the statics open and close. Offsets are into `Shape.html`: `start` at its `<`,
 * `open` after its start tag, `close` at its end tag's `<` (not set for void elements), `end`
 * after its end tag (`open` for void elements). `els[0]` stands for the top level: only its `tag` (""), `open` (0)
 * and `close` (the end) are set.
 * @typedef {{ tag: string, parent: number, start: number, open: number, close: number,
 *   end: number }} El
 */

/**
 * The statics of a node or of a list's items, analysed. `html` is the statics joined and
 * `pos[j]` the offset of slot `j` in it. `slot[j]` is the element slot `j` is in (`0`: the
 * top level), inside its start tag when `pos[j]` is before its `open`. `kids[e]` is the
 * sequence of element children of element `e`: `n > 0` for the element `els[n]`, `~j` for
 * slot `j`, a slot between tags that may hold elements.
 * @typedef {{ html: string, pos: number[], els: El[], slot: number[], kids: number[][] }} Shape
 */

const VOID = /^(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)$/;
const RAW = /^(script|style|textarea|title|xmp|iframe|noembed|noframes)$/;

/**
 * The tokens of the statics: a comment; a start tag (group 1: its name; quotes hide `>`); an
 * end tag (group 2: what is between `</` and `>`); a bogus comment (`<!…>`, `<?…>`, `</…>`);
 * else a `<` and one character, refused: a token that never ends, or the start tag of a
 * <noscript> (the inert document parses its content as HTML) or a <plaintext>; else the end.
 */
const TOKEN =
  /<(?:!--[^]*?-->|(?!(?:noscript|plaintext)[\s/>])([a-z][^\s/>]*)(?:[^>"']|"[^"]*"|'[^']*')*>|\/([a-z][^>]*)>|[!?/](?!--)[^>]*>)|<[a-z!?/]|$/gi;

/** @type {WeakMap<Statics, Shape | false>} */
const shapes = new WeakMap();

/**
 * The shape of `statics`, or `false` when the scanner cannot vouch for it (a slot inside a
 * tag name, an end tag or a `<!…>`, end tags that do not match, elements or comments left
 * open, `<noscript>`, `<plaintext>`).
 * @param {Statics} statics
 * @returns {Shape | false}
 */
export const shapeOf = (statics) =>
  /** @type {Shape | false} */ (shapes.get(statics) ?? shapes.set(statics, scan(statics)).get(statics));

/**
 * @param {Statics} statics
 * @returns {Shape | false}
 */
function scan(statics) {
  const html = statics.join("");
  let at = 0;
  const pos = statics.slice(0, -1).map((s) => (at += s.length));
  /** @type {El[]} */
  const els = [/** @type {El} */ ({ tag: "", open: 0, close: html.length })];
  /** @type {number[][]} */
  const kids = [[]];
  /** @type {number[]} */
  const slot = [];
  const stack = [0];
  let j = 0;
  /**
   * Puts the slots before offset `to` in element `el`, and (`kid`) among its children.
   * @param {number} to @param {number} el @param {boolean} [kid]
   */
  const record = (to, el, kid = false) => {
    for (; pos[j] < to; j++) {
      slot.push(el);
      if (kid) kids[el].push(~j);
    }
  };
  TOKEN.lastIndex = 0;
  for (;;) {
    const m = /** @type {RegExpExecArray} */ (TOKEN.exec(html));
    const [token, name, endTag] = m;
    const start = m.index;
    const end = start + token.length;
    const parent = stack[stack.length - 1];
    record(start + 1, parent, true);
    if (!token) break;
    // A `<` and one character: refused.
    if (token.length < 3) return false;
    if (name) {
      const tag = name.toLowerCase();
      const el = els.push(/** @type {El} */ ({ tag, parent, start, open: end, end })) - 1;
      kids[parent].push(el);
      kids.push([]);
      // Attribute slots come after the name and the character that ends it.
      if (pos[j] < start + name.length + 2) return false;
      record(end, el);
      // Void elements end here, and so does, in <svg>/<math>, a start tag ending in "/>".
      if (VOID.test(tag) || (html[end - 2] == "/" && [el, ...stack].some((e) => /^(svg|math)$/.test(els[e].tag)))) {
        continue;
      }
      stack.push(el);
      if (RAW.test(tag)) {
        // Text up to the end tag; its slots are in the element.
        // (ASCII case folding, as the tokenizer: toLowerCase may change the length.)
        const close = end + html.slice(end).search(RegExp("</" + tag, "i"));
        if (close < end) return false;
        record(close + 1, el);
        TOKEN.lastIndex = close;
      }
    } else if (endTag) {
      const el = els[/** @type {number} */ (stack.pop())];
      if (endTag.trim().toLowerCase() != el.tag) return false;
      el.close = start;
      el.end = end;
    } else if (token.startsWith("<!--")) {
      // Slots in a comment's text are in the element around it.
      if (pos[j] < start + 4) return false;
      record(end - 2, parent);
    }
    if (pos[j] < end) return false;
  }
  return stack.length < 2 && { html, pos, els, slot, kids };
}

/**
 * How many top-level elements `value` renders, `NaN` when unknown (HTML text the scanner
 * cannot read).
 * @param {TreeValue} value
 * @returns {number}
 */
export function count(value) {
  // Text: no `<`, no element (and a one-off scan, not cached by a throwaway array).
  if (typeof value == "string") return value.includes("<") ? countIn(scan([value]), []) : 0;
  const shape = shapeOf(value.statics);
  if (value.kind == "node") return countIn(shape, value.slots);
  // Items with no slot at their top level each render as many elements: O(1) for any list.
  if (shape && shape.kids[0].every((k) => k > 0)) return shape.kids[0].length * value.items.length;
  return value.items.reduce((n, it) => n + countIn(shape, it.slots), 0);
}

/**
 * @param {Shape | false} shape
 * @param {readonly TreeValue[]} slots
 * @returns {number}
 */
const countIn = (shape, slots) =>
  shape ? shape.kids[0].reduce((n, k) => n + (k > 0 ? 1 : count(slots[~k])), 0) : NaN;

// The morph: updates DOM nodes in place to match new HTML, reusing every node it can, so that
// focus, caret, selection, scroll positions, open <details>/<dialog> and running CSS
// animations survive. Nodes that already match are not touched at all.

/**
 * Where HTML is parsed: a document without a window (nodes move to the page's document when
 * inserted there).
 * @type {Document | undefined}
 */
let inert;

/**
 * The last `open` the server rendered on each <details>/<dialog>: the page follows the
 * server's `open` only when the server changes it, so a user's toggle survives.
 * @type {WeakMap<Element, boolean>}
 */
const served = new WeakMap();

/**
 * Parses `html` as the content of an element like `context` (the HTML fragment parsing
 * algorithm, as `innerHTML` does: `<tr>` in a `<tbody>`, a `<tbody>` added in a `<table>`),
 * in an inert document (no image loads, no custom element upgrades). Throws when the context
 * is an SVG/MathML element and an HTML element comes out at the top: a tag such as `<b>` or
 * `<div>` that a parse of the whole page would move out of the SVG (also refused in a
 * `<foreignObject>`, where it would stay).
 * @param {Element} context
 * @param {string} html
 * @returns {Node[]} the parsed nodes, detached
 */
export function parse(context, html) {
  inert ??= context.ownerDocument.implementation.createHTMLDocument("");
  const el = /** @type {Element} */ (inert.importNode(context));
  el.innerHTML = html;
  // Every node the morph inserts comes from here: note the server's `open` of each.
  for (const d of el.querySelectorAll("details,dialog")) served.set(d, d.hasAttribute("open"));
  const nodes = [...el.childNodes];
  // (An HTML element's tagName is its name in upper case; text has neither.)
  if (el.tagName == el.localName && nodes.some((n) => /** @type {Element} */ (n).tagName != /** @type {Element} */ (n).localName)) {
    throw 0;
  }
  return nodes;
}

/**
 * An element's key: its `id`, else its `data-key`; `null` for other nodes or none. (Read as
 * attributes: a form's `.id` is its field named "id", if it has one.)
 * @param {Node} node
 * @returns {string | null}
 */
const keyOf = (node) =>
  /** @type {Element} */ (node).getAttribute?.("id") || /** @type {Element} */ (node).getAttribute?.("data-key") || null;

/** @param {Element} el */
const focused = (el) => el == el.ownerDocument.activeElement;

/**
 * Moves `node` before `ref` in `parent`, keeping its state where the browser can
 * (`moveBefore`: focus, animations, iframes).
 * @param {Node} parent
 * @param {Node} node
 * @param {Node | null} ref
 */
export function move(parent, node, ref) {
  const keeping = /** @type {any} */ (parent).moveBefore;
  try {
    if (keeping) return keeping.call(parent, node, ref);
  } catch {
    // not in a document
  }
  parent.insertBefore(node, ref);
}

/**
 * Removes `node`.
 * @param {Node} node
 * @returns {Node | null} the node that came after it
 */
function drop(node) {
  const next = node.nextSibling;
  // Not `node.remove()`: a form's `.remove` is its field named "remove", if it has one.
  /** @type {Node} */ (node.parentNode).removeChild(node);
  return next;
}

/**
 * Makes the nodes of `parent` from `cur` (by default the first child) up to (not including)
 * `end` (by default past the last child) match `nodes`: keyed elements (`id`, then `data-key`) pair with the old element of
 * the same key and tag wherever it is, other nodes with the next old node of the same kind
 * and tag; the rest is inserted (the new node itself) or removed.
 * @param {Node} parent
 * @param {readonly Node[]} nodes
 * @param {Node | null} [cur]
 * @param {Node | null} [end]
 */
export function morphNodes(parent, nodes, cur = parent.firstChild, end) {
  /** @type {Map<string | null, Node>} */
  const keyed = new Map();
  for (let x = cur; x && x != end; x = x.nextSibling) {
    const key = keyOf(x);
    if (key && !keyed.has(key)) keyed.set(key, x);
  }
  const wanted = new Set(nodes.map(keyOf));
  wanted.delete(null);
  for (const n of nodes) {
    const key = keyOf(n);
    /** @type {Node | null | undefined} */
    let match = keyed.get(key);
    if (match && same(match, n)) {
      keyed.delete(key);
      // Drop the old nodes before it that nothing asks for, rather than moving it.
      while (cur && cur != match && !wanted.has(keyOf(cur))) cur = drop(cur);
    } else {
      match = cur && cur != end && same(cur, n) && keyOf(cur) == key ? cur : null;
      if (match) keyed.delete(key);
    }
    if (!match) parent.insertBefore(n, cur);
    else {
      if (match == cur) cur = match.nextSibling;
      else move(parent, match, cur);
      morph(match, n);
    }
  }
  while (cur && cur != end) cur = drop(cur);
}

/**
 * Whether `a` can be morphed to `b`: the same kind of node and, for elements, the same tag
 * and namespace (an HTML element's nodeName is in upper case, an SVG/MathML one's is not).
 * @param {Node} a
 * @param {Node} b
 */
const same = (a, b) => a.nodeName == b.nodeName;

/**
 * Where the children of `node` are: a <template>'s are in its content.
 * @param {Node} node
 */
const inside = (node) => (node.nodeName == "TEMPLATE" ? /** @type {HTMLTemplateElement} */ (node).content : node);

/**
 * Makes `old` match `neu` (a node of the same kind and tag): text and comments get the new
 * text, elements the new attributes and children.
 * @param {Node} old
 * @param {Node} neu
 */
export function morph(old, neu) {
  if (old.nodeType != 1) {
    if (old.nodeValue != neu.nodeValue) old.nodeValue = neu.nodeValue;
    return;
  }
  const el = /** @type {HTMLInputElement} */ (old);
  // (Inputs and textareas have select().)
  const typing = focused(el) && "select" in el;
  const { value, selectionStart, selectionEnd, selectionDirection } = typing ? el : /** @type {any} */ ({});
  const text = el.defaultValue;
  const to = inside(old);
  morphNodes(to, [...inside(neu).childNodes]);
  attributes(el, /** @type {Element} */ (neu), text);
  // The field being typed in keeps what the user sees: its value, caret and selection (which
  // move only when the value does).
  if (typing && el.value != value) {
    el.value = value;
    try {
      el.setSelectionRange(selectionStart, selectionEnd, /** @type {any} */ (selectionDirection));
    } catch {
      // input types without a selection
    }
  }
}

/**
 * Gives `old` the attributes of `neu`, touching only those that differ. A changed `checked`
 * or `selected` also sets the live property, and a changed default value (an input's `value`,
 * a textarea's text) the field's value unless it has focus, as the page would show it on a
 * fresh load.
 * @param {Element} old
 * @param {Element} neu
 * @param {string} [text] the default value of `old` before (its text already morphed)
 */
export function attributes(old, neu, text = /** @type {any} */ (old).defaultValue) {
  // `neu` comes from parse(), which noted the `open` of each <details>/<dialog>.
  const open = served.get(neu);
  // The server said the same `open` as last time: the user's toggle stands.
  const stands = open != null && served.get(old) === open;
  if (open != null) served.set(old, open);
  // Each attribute of either, once it differs: set to its new value, or removed.
  for (const { namespaceURI: ns, localName: name, name: qualified } of [...old.attributes, ...neu.attributes]) {
    const value = neu.getAttributeNS(ns, name);
    if (old.getAttributeNS(ns, name) == value || (stands && name == "open")) continue;
    if (value == null) old.removeAttributeNS(ns, name);
    else old.setAttributeNS(ns, qualified, value);
    // The live state of a field follows, as on a fresh load.
    if ((name == "checked" || name == "selected") && name in old) /** @type {any} */ (old)[name] = value != null;
  }
  const field = /** @type {HTMLInputElement} */ (old);
  if (text != field.defaultValue && !focused(field)) field.value = field.defaultValue;
}

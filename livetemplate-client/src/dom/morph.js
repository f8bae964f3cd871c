// The morph: updates DOM nodes in place to match new HTML, reusing every node it can, so that
// focus, caret, selection, scroll positions, open <details>/<dialog> and running CSS
// animations survive. Nodes that already match are not touched at all.

/** @type {WeakMap<Document, Document>} */
const inert = new WeakMap();

/**
 * Parses `html` as the content of an element like `context` (the HTML fragment parsing
 * algorithm, as `innerHTML` does: `<tr>` in a `<tbody>`, a `<tbody>` added in a `<table>`),
 * in an inert document (no image loads, no custom element upgrades).
 * @param {Element} context
 * @param {string} html
 * @returns {Element} a detached element whose children are the parsed nodes
 */
export function parse(context, html) {
  const doc = context.ownerDocument;
  let into = inert.get(doc);
  if (!into) inert.set(doc, (into = doc.implementation.createHTMLDocument("")));
  const el = into.createElementNS(context.namespaceURI, context.localName);
  el.innerHTML = html;
  // Every node the morph inserts comes from here: note the server's `open` of each.
  for (const d of el.querySelectorAll("details,dialog")) served.set(d, d.hasAttribute("open"));
  return el;
}

/**
 * An element's key: its `id`, else its `data-key`; `null` for other nodes or none.
 * @param {Node} node
 * @returns {string | null}
 */
const keyOf = (node) =>
  node.nodeType === 1 ? /** @type {Element} */ (node).id || /** @type {Element} */ (node).getAttribute("data-key") : null;

/**
 * @param {Node} a
 * @param {Node} b
 */
const same = (a, b) =>
  a.nodeType === b.nodeType &&
  (a.nodeType !== 1 ||
    (/** @type {Element} */ (a).localName === /** @type {Element} */ (b).localName &&
      /** @type {Element} */ (a).namespaceURI === /** @type {Element} */ (b).namespaceURI));

/**
 * Moves `node` before `ref` in `parent`, keeping its state where the browser can
 * (`moveBefore`: focus, animations, iframes).
 * @param {Node} parent
 * @param {Node} node
 * @param {Node | null} ref
 */
export function move(parent, node, ref) {
  const p = /** @type {Node & { moveBefore?: (n: Node, r: Node | null) => void }} */ (parent);
  if (p.moveBefore && node.isConnected && parent.isConnected) p.moveBefore(node, ref);
  else parent.insertBefore(node, ref);
}

/**
 * Makes the nodes of `parent` from `start` up to (not including) `end` (`null`: the last
 * child) match `nodes`: keyed elements (`id`, then `data-key`) pair with the old element of
 * the same key and tag wherever it is, other nodes with the next old node of the same kind
 * and tag; the rest is inserted (the new node itself) or removed.
 * @param {Node} parent
 * @param {readonly Node[]} nodes
 * @param {Node | null} start
 * @param {Node | null} end
 */
export function morphNodes(parent, nodes, start, end) {
  /** @type {Map<string, Node>} */
  const keyed = new Map();
  for (let x = start; x && x !== end; x = x.nextSibling) {
    const key = keyOf(x);
    if (key && !keyed.has(key)) keyed.set(key, x);
  }
  /** @type {Set<string>} */
  const wanted = new Set();
  for (const n of nodes) {
    const key = keyOf(n);
    if (key && keyed.has(key)) wanted.add(key);
  }
  let cur = start === end ? null : start;
  for (const n of nodes) {
    const key = keyOf(n);
    /** @type {Node | null | undefined} */
    let match = key ? keyed.get(key) : null;
    if (match && same(match, n)) {
      keyed.delete(/** @type {string} */ (key));
      // Drop the old nodes before it that nothing asks for, rather than moving it.
      while (cur && cur !== match && !wanted.has(keyOf(cur) ?? "")) {
        const next = cur.nextSibling;
        parent.removeChild(cur);
        cur = next === end ? null : next;
      }
    } else {
      const curKey = cur && keyOf(cur);
      match =
        cur && same(cur, n) && (curKey ? curKey === key : !key) ? cur : null;
      if (curKey && match) keyed.delete(curKey);
    }
    if (match) {
      if (match === cur) {
        const next = cur.nextSibling;
        cur = next === end ? null : next;
      } else move(parent, match, cur ?? end);
      morph(match, n);
    } else {
      parent.insertBefore(n, cur ?? end);
    }
  }
  while (cur) {
    const next = cur.nextSibling;
    parent.removeChild(cur);
    cur = next === end ? null : next;
  }
}

/**
 * Makes `old` match `neu` (a node of the same kind and tag): text and comments get the new
 * text, elements the new attributes and children.
 * @param {Node} old
 * @param {Node} neu
 */
export function morph(old, neu) {
  if (old.nodeType !== 1) {
    if (old.nodeValue !== neu.nodeValue) old.nodeValue = neu.nodeValue;
    return;
  }
  const el = /** @type {HTMLInputElement} */ (old);
  const focused = el === el.ownerDocument.activeElement && "selectionStart" in el;
  const { value, selectionStart, selectionEnd, selectionDirection } = focused ? el : /** @type {any} */ ({});
  const text = el.localName === "textarea" ? el.defaultValue : null;
  attributes(el, /** @type {Element} */ (neu));
  const from = neu.nodeName === "TEMPLATE" ? /** @type {HTMLTemplateElement} */ (neu).content : neu;
  const to = old.nodeName === "TEMPLATE" ? /** @type {HTMLTemplateElement} */ (old).content : old;
  if (to.firstChild || from.firstChild) morphNodes(to, [...from.childNodes], to.firstChild, null);
  if (focused) {
    // The field being typed in keeps what the user sees: its value, caret and selection.
    if (el.value !== value) el.value = value;
    try {
      if (el.selectionStart !== selectionStart || el.selectionEnd !== selectionEnd) {
        el.setSelectionRange(selectionStart, selectionEnd, selectionDirection ?? undefined);
      }
    } catch {
      // input types without a selection
    }
  } else if (text !== null && text !== el.defaultValue) {
    // The server changed a textarea's text: show it, as a changed `value` does for an input.
    el.value = el.defaultValue;
  }
}

/**
 * The last `open` the server rendered on each <details>/<dialog>: the page follows the
 * server's `open` only when the server changes it, so a user's toggle survives.
 * @type {WeakMap<Element, boolean>}
 */
const served = new WeakMap();

/**
 * Gives `old` the attributes of `neu`, touching only those that differ. A changed `value`,
 * `checked` or `selected` also sets the live property (unless the field has focus), as
 * the page would show it on a fresh load.
 * @param {Element} old
 * @param {Element} neu
 */
export function attributes(old, neu) {
  const toggle = /^(details|dialog)$/.test(old.localName);
  if (toggle) {
    const open = neu.hasAttribute("open");
    const last = served.get(old);
    served.set(old, open);
    if (last === open && open !== old.hasAttribute("open")) {
      // The server said the same as last time: the user's toggle stands.
      neu = /** @type {Element} */ (neu.cloneNode(false));
      neu.toggleAttribute("open");
    }
  }
  for (const a of [...old.attributes]) {
    if (!neu.hasAttributeNS(a.namespaceURI, a.localName)) {
      old.removeAttributeNS(a.namespaceURI, a.localName);
      live(old, a.localName, null);
    }
  }
  for (const a of neu.attributes) {
    if (old.getAttributeNS(a.namespaceURI, a.localName) !== a.value) {
      old.setAttributeNS(a.namespaceURI, a.name, a.value);
      live(old, a.localName, a.value);
    }
  }
}

/**
 * @param {Element} el
 * @param {string} name
 * @param {string | null} value
 */
function live(el, name, value) {
  const field = /** @type {HTMLInputElement & HTMLOptionElement} */ (el);
  if (name === "checked" && "checked" in field) field.checked = value !== null;
  else if (name === "selected" && "selected" in field) field.selected = value !== null;
  else if (name === "value" && el.localName === "input" && el !== el.ownerDocument.activeElement) {
    field.value = value ?? "";
  }
}

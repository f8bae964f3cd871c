// Tests of the DOM patcher (src/dom/) under jsdom: after every frame, the region patched by
// patchRegion must equal the region morphed to the whole tree's HTML and a fresh parse of it —
// over the golden wire files and randomized frame sequences — and a frame must touch only
// the DOM it changes.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { JSDOM } from "jsdom";

import { htmlAt } from "../src/inspect.js";
import { Rendered } from "../src/rendered.js";
import { patchRegion, renderRegion } from "../src/dom/patch.js";
import { ourGoldenFiles } from "./golden.js";

const { window } = new JSDOM("<!doctype html><html><body></body></html>");
const { document } = window;

/** A fresh live region holding `html`. @param {string} [html] */
function region(html = "") {
  const el = document.createElement("div");
  el.innerHTML = html;
  document.body.append(el);
  return el;
}

/** The HTML a browser shows for `html` inside a region. @param {string} html */
function parsed(html) {
  const el = document.createElement("div");
  el.innerHTML = html;
  return el.innerHTML;
}

/**
 * Feeds `frames` to a client and to two regions: one patched with patchRegion, one morphed
 * to the whole tree each time; checks both against a fresh parse after every frame.
 * @param {unknown[]} frames
 * @param {string} label
 * @param {string} [server] the server-rendered HTML the targeted region starts with
 */
function replay(frames, label, server = "") {
  const rendered = new Rendered();
  const patched = region(server);
  const morphed = region();
  frames.forEach((frame, step) => {
    const change = rendered.applyTree(frame);
    if (step === 0) renderRegion(patched, rendered);
    else patchRegion(patched, rendered, change);
    renderRegion(morphed, rendered);
    const want = parsed(rendered.toHTML());
    assert.equal(morphed.innerHTML, want, `${label}: frame ${step} (whole morph)`);
    assert.equal(patched.innerHTML, want, `${label}: frame ${step} (targeted)\n${JSON.stringify(frame)}`);
  });
  patched.remove();
  morphed.remove();
  return rendered;
}

describe("golden wire files", () => {
  for (const golden of ourGoldenFiles()) {
    test(golden.file, () => {
      replay(golden.frames, golden.file);
      // Starting from the server-rendered page, as a real page does.
      replay(golden.frames, golden.file, golden.html[0]);
    });
  }
});

// ---- change descriptions ---------------------------------------------------------------------

const LIST = {
  s: ["<ul>", "</ul><p>", "</p>"],
  0: { s: ['<li data-key="', '">', "</li>"], d: [{ 0: "a", 1: "A" }, { 0: "b", 1: "B" }, { 0: "c", 1: "C" }], m: { idKey: "0" } },
  1: "3",
};

describe("applyTree reports what changed", () => {
  test("a whole tree, nothing, a text slot", () => {
    const rendered = new Rendered();
    const first = rendered.applyTree(LIST);
    assert.equal(first?.kind, "replace");
    assert.equal(rendered.applyTree({}), null);
    assert.equal(rendered.applyTree({ 1: "3" }), null, "the same text is no change");
    const change = rendered.applyTree({ 1: "4" });
    assert.equal(change?.kind, "node");
    const slot = change.kind === "node" ? change.slots.get(1) : undefined;
    assert.deepEqual(slot, { kind: "replace", old: "3", value: "4" });
  });

  test("list operations normalized to positions and keys", () => {
    const rendered = new Rendered();
    rendered.applyTree(LIST);
    const change = rendered.applyTree({
      0: [["r", "b"], ["u", "c", { 1: "C2" }], ["i", "a", { 0: "d", 1: "D" }], ["a", [{ 0: "e", 1: "E" }]], ["p", [{ 0: "z", 1: "Z" }]], ["o", ["e", "z", "a", "c"]]],
    });
    assert.ok(change?.kind === "node");
    const list = change.slots.get(0);
    assert.ok(list?.kind === "list");
    const ops = list.ops.map((op) => {
      if (op.op === "insert") return [op.op, op.index, op.after, op.items.length];
      if (op.op === "update") return [op.op, op.index, op.key, [...op.slots.keys()]];
      if (op.op === "reorder") return [op.op, op.order];
      return [op.op, op.index, op.key];
    });
    assert.deepEqual(ops, [
      ["remove", 1, "b"],
      ["update", 1, "c", [1]],
      ["insert", 1, "a", 1],
      ["insert", 3, "c", 1],
      ["insert", 0, null, 1],
      // z a d c e → e z a c: d dropped
      ["reorder", [4, 0, 1, 3]],
    ]);
    assert.equal(htmlAt(rendered, [0]), '<li data-key="e">E</li><li data-key="z">Z</li><li data-key="a">A</li><li data-key="c">C2</li>');
  });

  test("a reorder to the same order and an update to the same text report nothing", () => {
    const rendered = new Rendered();
    rendered.applyTree(LIST);
    assert.equal(rendered.applyTree({ 0: [["o", ["a", "b", "c"]], ["u", "a", { 1: "A" }]] }), null);
  });

  test("new statics for a list replace it", () => {
    const rendered = new Rendered();
    rendered.applyTree(LIST);
    const change = rendered.applyTree({ 0: [["a", [{ 0: "d", 1: "D" }], ["<li data-key=\"", "\" class=x>", "</li>"]]] });
    assert.ok(change?.kind === "node");
    assert.equal(change.slots.get(0)?.kind, "replace");
  });
});

// ---- randomized sequences ------------------------------------------------------------------

/** A seeded generator (mulberry32). @param {number} seed */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Templates: root statics, the list slot, the item statics (slot 0 is the key unless
 * `own`), and how to make each other root slot's value.
 * @typedef {{ name: string, root: string[], list: number, item: string[], own?: boolean,
 *   texts: Record<number, (r: () => number) => unknown> }} Template
 */

/** @param {() => number} r */
const word = (r) => ["one", "two", "", "a &amp; b", "x &lt; y", "long text here", "3"][Math.floor(r() * 7)];
/** @param {() => number} r */
const markup = (r) => ["<b>bold</b>", "plain", "", "<i>a</i> and <em>b</em>", "<br>"][Math.floor(r() * 5)];
/** @param {() => number} r */
const branch = (r) =>
  r() < 0.3 ? { s: [""] } : r() < 0.5 ? { s: ["<p class=note>", "</p>"], 0: word(r) } : { s: ["", " <b>", "</b>"], 0: word(r), 1: word(r) };

/** @type {Template[]} */
const TEMPLATES = [
  {
    name: "todo",
    root: ['<section class="app ', '"><h1>', "</h1>\n<ul class=list>\n", "\n</ul><footer><span>", "</span> items left", "</footer></section>"],
    list: 2,
    item: ['\n  <li data-key="', '" class="', '"><input type=checkbox', "><label>", "</label></li>\n"],
    texts: { 0: word, 1: word, 3: word, 4: branch },
  },
  {
    name: "table",
    root: ["<table><tbody>", "</tbody></table><p>", "</p>", ""],
    list: 0,
    item: ['<tr id="row-', '"><td>', "</td><td>", "</td></tr>"],
    texts: { 1: word, 2: branch },
  },
  {
    name: "table without tbody",
    root: ["<table>", "</table>"],
    list: 0,
    item: ['<tr data-key="', '"><td>', "</td></tr>"],
    texts: {},
  },
  {
    name: "top-level slots with markup",
    root: ["", "<div>", "</div>", "<ol>", "</ol>", ""],
    list: 3,
    item: ['<li data-key="', '">', "</li>"],
    texts: { 0: markup, 1: markup, 2: markup, 4: markup },
  },
  {
    name: "two elements per item, own keys",
    root: ["<dl>", "</dl><details><summary>", "</summary>", "</details>"],
    list: 0,
    item: ["<dt>", "</dt>\n<dd>", "</dd>"],
    own: true,
    texts: { 1: word, 2: branch },
  },
  {
    name: "items with text around",
    root: ["<div>", "</div>"],
    list: 0,
    item: ["(", ") "],
    own: true,
    texts: {},
  },
  {
    name: "comments, raw text, svg",
    root: ["<!-- c ", ' --><textarea name="t">', '</textarea><svg viewBox="0 0 9 9"><path d="', '"/><g>', "</g></svg><p>", "</p><div>", "</div>"],
    list: 5,
    item: ['<i data-key="', '">', "</i>"],
    texts: { 0: word, 1: word, 2: word, 3: word, 4: markup },
  },
  {
    name: "list at the top level",
    root: ["", ""],
    list: 0,
    item: ['<p data-key="', '">', "</p> "],
    texts: {},
  },
];

/**
 * A random frame sequence for `t`.
 * @param {Template} t
 * @param {() => number} r
 * @param {number} length
 */
function sequence(t, r, length) {
  const slots = t.item.length - 1;
  let next = 0;
  /** @type {string[]} */
  let keys = [];
  const newItem = () => {
    const key = `k${next++}`;
    keys.push(key);
    /** @type {Record<string, unknown>} */
    const it = t.own ? { _k: key } : { 0: key };
    for (let s = t.own ? 0 : 1; s < slots; s++) it[s] = s === 2 && t.name === "todo" ? (r() < 0.5 ? " checked" : "") : word(r);
    return it;
  };
  const count = Math.floor(r() * 6);
  /** @type {Record<string, unknown>} */
  const first = { s: t.root };
  for (let s = 0; s < t.root.length - 1; s++) first[s] = s === t.list ? { s: t.item, d: Array.from({ length: count }, newItem), ...(t.own ? {} : { m: { idKey: "0" } }) } : t.texts[s](r);
  const frames = [first];
  const pick = () => keys[Math.floor(r() * keys.length)];
  for (let n = 0; n < length; n++) {
    /** @type {Record<string, unknown>} */
    const frame = {};
    for (const s of Object.keys(t.texts)) if (r() < 0.3) frame[s] = t.texts[Number(s)](r);
    /** @type {unknown[][]} */
    const ops = [];
    // Server order: removes, updates, inserts, at most one reorder.
    if (keys.length && r() < 0.3) {
      const key = pick();
      keys = keys.filter((k) => k !== key);
      ops.push(["r", key]);
    }
    if (keys.length && r() < 0.5) {
      /** @type {Record<string, unknown>} */
      const change = {};
      for (let s = t.own ? 0 : 1; s < slots; s++) if (r() < 0.6) change[s] = s === 2 && t.name === "todo" ? (r() < 0.5 ? " checked" : "") : word(r);
      ops.push(["u", pick(), change]);
    }
    if (keys.length && r() < 0.3) {
      const after = pick();
      const it = newItem();
      keys.pop();
      keys.splice(keys.indexOf(after) + 1, 0, /** @type {string} */ (t.own ? it._k : it[0]));
      ops.push(["i", after, it]);
    }
    if (r() < 0.3) {
      const items = Array.from({ length: 1 + Math.floor(r() * 3) }, newItem);
      ops.push(["a", items]);
    }
    if (r() < 0.2) {
      const items = Array.from({ length: 1 + Math.floor(r() * 2) }, newItem);
      const added = keys.splice(keys.length - items.length, items.length);
      keys = added.concat(keys);
      ops.push(["p", items]);
    }
    if (keys.length > 1 && r() < 0.3) {
      const order = keys.slice();
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      if (r() < 0.3) order.pop();
      keys = order.slice();
      ops.push(["o", order]);
    }
    if (ops.length) frame[t.list] = ops;
    frames.push(frame);
  }
  return frames;
}

describe("randomized frame sequences", () => {
  for (const t of TEMPLATES) {
    test(t.name, () => {
      for (let seed = 1; seed <= 40; seed++) {
        const r = random(seed * 7919 + t.name.length);
        const frames = sequence(t, r, 25);
        replay(frames, `${t.name} seed ${seed}`);
      }
    });
  }
});

// ---- what a frame touches ------------------------------------------------------------------

/**
 * The nodes a patch mutates (their parents, for child list changes).
 * @param {Element} root
 * @param {() => void} run
 */
function touched(root, run) {
  const observer = new window.MutationObserver(() => {});
  observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  run();
  const records = observer.takeRecords();
  observer.disconnect();
  return records;
}

/** A keyed table of `rows` rows and a count after it. @param {number} rows */
function bigTable(rows) {
  return {
    s: ['<table><tbody>', "</tbody></table><p><span>", "</span> rows</p>"],
    0: {
      s: ['\n<tr data-key="', '"><td>', '</td><td class="', '">', "</td></tr>"],
      d: Array.from({ length: rows }, (_, i) => ({ 0: `r${i}`, 1: `row ${i}`, 2: "", 3: String(i) })),
      m: { idKey: "0" },
    },
    1: String(rows),
  };
}

describe("targeted patches", () => {
  test("a one-row change in a large keyed table touches only that row, renders no whole HTML", () => {
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(bigTable(3000));
    renderRegion(root, rendered);
    const rows = [...root.querySelectorAll("tr")];
    const toHTML = rendered.toHTML;
    rendered.toHTML = () => assert.fail("the whole tree was rendered");
    const records = touched(root, () =>
      patchRegion(root, rendered, rendered.applyTree({ 0: [["u", "r1500", { 1: "changed", 2: "hot" }]] })),
    );
    rendered.toHTML = toHTML;
    const row = rows[1500];
    assert.ok(records.length > 0);
    for (const rec of records) assert.ok(row.contains(rec.target), `touched ${rec.target.nodeName} outside the row`);
    assert.equal(row.outerHTML, '<tr data-key="r1500"><td>changed</td><td class="hot">1500</td></tr>');
    assert.deepEqual([...root.querySelectorAll("tr")], rows, "no row was replaced");
    assert.equal(root.innerHTML, parsed(rendered.toHTML()));
    root.remove();
  });

  test("insert, remove and reorder touch only the list's rows; the count only its span", () => {
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(bigTable(200));
    renderRegion(root, rendered);
    const tbody = /** @type {Element} */ (root.querySelector("tbody"));
    const span = /** @type {Element} */ (root.querySelector("span"));
    const keep = /** @type {Element} */ (root.querySelector('[data-key="r5"]'));
    const records = touched(root, () =>
      patchRegion(root, rendered, rendered.applyTree({
        0: [["r", "r3"], ["i", "r10", { 0: "n1", 1: "new", 2: "", 3: "x" }], ["o", ["r199", ...Array.from({ length: 199 }, (_, i) => `r${i}`).filter((k) => k !== "r3"), "n1"]]],
        1: "200",
      })),
    ).filter((rec) => rec.type === "childList");
    for (const rec of records) assert.ok(rec.target === tbody || tbody.contains(rec.target) || span.contains(rec.target) || rec.target === span);
    // The reorder moved only what the longest increasing run leaves: r199 and n1, not 198 rows.
    const moved = records.filter((rec) => rec.target === tbody).reduce((n, rec) => n + rec.addedNodes.length, 0);
    assert.ok(moved <= 8, `moved ${moved} nodes`);
    assert.equal(root.querySelector('[data-key="r5"]'), keep);
    assert.equal(root.innerHTML, parsed(rendered.toHTML()));
    root.remove();
  });

  test("a text slot in its own element updates only that element", () => {
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(bigTable(500));
    renderRegion(root, rendered);
    const span = /** @type {Element} */ (root.querySelector("span"));
    const records = touched(root, () => patchRegion(root, rendered, rendered.applyTree({ 1: "499" })));
    assert.ok(records.length > 0);
    for (const rec of records) assert.ok(span.contains(rec.target));
    assert.equal(span.textContent, "499");
  });

  test("the first frame leaves a matching server-rendered region untouched", () => {
    const rendered = new Rendered();
    rendered.applyTree(bigTable(50));
    const root = region(rendered.toHTML());
    const records = touched(root, () => renderRegion(root, rendered));
    assert.equal(records.length, 0);
  });

  test("an item whose DOM is not what the tree says: the list's stretch is morphed", () => {
    const rendered = new Rendered();
    rendered.applyTree({
      s: ["<dl>", "</dl><p>", "</p>"],
      0: { s: ["<dt>", "</dt><dd>", "</dd>"], d: [{ _k: "a", 0: "A", 1: "1" }, { _k: "b", 0: "B", 1: "2" }] },
      1: "x",
    });
    const root = region();
    renderRegion(root, rendered);
    const dl = /** @type {Element} */ (root.querySelector("dl"));
    // Someone else turned b's <dd> into a <div>: its slot cannot be located.
    const dd = /** @type {Element} */ (dl.children[3]);
    dd.replaceWith(Object.assign(document.createElement("div"), { textContent: "2" }));
    const p = /** @type {Element} */ (root.querySelector("p"));
    const records = touched(root, () => patchRegion(root, rendered, rendered.applyTree({ 0: [["u", "b", { 1: "3" }]] })));
    assert.equal(root.innerHTML, parsed(rendered.toHTML()));
    for (const rec of records) assert.ok(dl.contains(rec.target), `touched ${rec.target.nodeName} outside the list`);
    assert.equal(root.querySelector("p"), p);
    root.remove();
  });
});

describe("state the patch keeps", () => {
  const FORM = {
    s: ["<form><p>", '</p><input name="q" value="', '"><textarea name="t">', "</textarea><details", "><summary>more</summary></details></form>"],
    0: "hello",
    1: "start",
    2: "text",
    3: "",
  };

  test("focus, value, caret and selection of the field being typed in", () => {
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(FORM);
    renderRegion(root, rendered);
    const input = /** @type {HTMLInputElement} */ (root.querySelector("input"));
    input.focus();
    input.value = "typed by the user";
    input.setSelectionRange(3, 7);
    patchRegion(root, rendered, rendered.applyTree({ 0: "another slot changed", 1: "server" }));
    renderRegion(root, rendered); // even a whole morph keeps it
    assert.equal(document.activeElement, input);
    assert.equal(root.querySelector("input"), input);
    assert.equal(input.value, "typed by the user");
    assert.deepEqual([input.selectionStart, input.selectionEnd], [3, 7]);
    assert.equal(input.getAttribute("value"), "server");
    input.blur();
    patchRegion(root, rendered, rendered.applyTree({ 1: "server again" }));
    assert.equal(input.value, "server again", "a field not focused shows the server's new value");
    root.remove();
  });

  test("forms whose fields are named id, remove, reset: morphed in place, removed without error", (t) => {
    // In browsers a form's named fields shadow its properties (`form.id`, `form.remove`): the
    // todos example's item forms have both, and flipping an item to its edit form threw in
    // Chromium. jsdom does not shadow them, so the test does, as browsers do.
    const proto = window.HTMLFormElement.prototype;
    const own = ["id", "remove", "reset"].map((name) => [name, Object.getOwnPropertyDescriptor(proto, name)]);
    for (const [name] of own) {
      Object.defineProperty(proto, /** @type {string} */ (name), {
        configurable: true,
        get() {
          const field = this.elements.namedItem(name);
          if (field) return field;
          const inherited = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(proto), /** @type {string} */ (name)) ??
            Object.getOwnPropertyDescriptor(window.Element.prototype, /** @type {string} */ (name)) ??
            Object.getOwnPropertyDescriptor(window.Node.prototype, /** @type {string} */ (name));
          return inherited?.get ? inherited.get.call(this) : inherited?.value;
        },
      });
    }
    t.after(() => {
      for (const [name, descriptor] of own) {
        if (descriptor) Object.defineProperty(proto, /** @type {string} */ (name), descriptor);
        else delete (/** @type {any} */ (proto))[/** @type {string} */ (name)];
      }
    });
    const item = (/** @type {string} */ inner) =>
      `<li data-key="1"><form method="post"><input type="hidden" name="id" value="1">${inner}</form></li>`;
    const view = '<label>milk</label><button name="reset">r</button><button name="remove">x</button>';
    const edit = '<input name="title" value="milk"><button name="save">Save</button>';
    const frames = [
      { s: ["<ul>", "</ul>"], f: 0, 0: { s: ["", ""], f: 1, 0: item(view) } },
      { 0: { 0: item(view.replace("milk", "oat milk")) } },
      { 0: { s: ["", "", ""], f: 2, 0: item(edit), 1: "" } },
      { 0: [0, ""] },
    ];
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(frames[0]);
    renderRegion(root, rendered);
    const form = root.querySelector("form");
    patchRegion(root, rendered, rendered.applyTree(frames[1]));
    assert.equal(root.querySelector("form"), form, "the same form, morphed");
    assert.equal(root.querySelector("label")?.textContent, "oat milk");
    for (const frame of frames.slice(2)) {
      patchRegion(root, rendered, rendered.applyTree(frame));
      assert.equal(root.innerHTML, parsed(rendered.toHTML()));
    }
    root.remove();
  });

  test("a textarea being typed in keeps its text", () => {
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(FORM);
    renderRegion(root, rendered);
    const area = /** @type {HTMLTextAreaElement} */ (root.querySelector("textarea"));
    area.focus();
    area.value = "mine";
    area.setSelectionRange(1, 2);
    patchRegion(root, rendered, rendered.applyTree({ 2: "theirs" }));
    assert.equal(area.value, "mine");
    assert.deepEqual([area.selectionStart, area.selectionEnd], [1, 2]);
    assert.equal(area.defaultValue, "theirs");
    root.remove();
  });

  test("an open <details> the user toggled stays open until the server changes open", () => {
    const rendered = new Rendered();
    const root = region();
    rendered.applyTree(FORM);
    renderRegion(root, rendered);
    const details = /** @type {HTMLDetailsElement} */ (root.querySelector("details"));
    details.open = true; // the user opens it
    patchRegion(root, rendered, rendered.applyTree({ 0: "x" }));
    renderRegion(root, rendered);
    assert.ok(details.open, "the user's toggle survives a morph");
    patchRegion(root, rendered, rendered.applyTree({ 3: " open" }));
    assert.ok(details.open);
    patchRegion(root, rendered, rendered.applyTree({ 3: "" }));
    assert.ok(!details.open, "the server closing it wins");
    root.remove();
  });
});

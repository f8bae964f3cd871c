// Tests of the tree cache (src/rendered.js) under node, no DOM: the golden wire files, the
// cases of the Rust reference client's unit tests, errors, and the statics cache.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { ApplyError } from "../src/errors.js";
import { MAX_DEPTH } from "../src/constants.js";
import { htmlAt, valueAt } from "../src/inspect.js";
import { Rendered } from "../src/rendered.js";
import { ourGoldenFiles } from "./golden.js";

/**
 * A client fed `frames` in order.
 * @param {...unknown} frames
 */
function client(...frames) {
  const rendered = new Rendered();
  for (const frame of frames) rendered.applyTree(frame);
  return rendered;
}

/** @param {...unknown} frames */
const html = (...frames) => client(...frames).toHTML();

/**
 * Asserts that `run` throws an ApplyError of `kind` (and the other fields given).
 * @param {() => unknown} run
 * @param {string} kind
 * @param {Record<string, unknown>} [fields]
 */
function throwsApply(run, kind, fields = {}) {
  assert.throws(run, (err) => {
    assert.ok(err instanceof ApplyError, `not an ApplyError: ${err}`);
    assert.ok(err instanceof Error);
    assert.equal(err.name, "ApplyError");
    assert.equal(err.kind, kind, err.message);
    for (const [field, value] of Object.entries(fields)) {
      assert.deepEqual(/** @type {Record<string, unknown>} */ (err)[field], value, field);
    }
    assert.ok(err.message.length > 0);
    return true;
  });
}

const CART = `{"s":["<h1>","</h1><ul>","</ul>"],"0":"Cart",
  "1":{"s":["<li data-key=\\"","\\">","</li>"],"d":[{"0":"p7","1":"Apples"}],"m":{"idKey":"0"}}}`;
const CART_HTML = '<h1>Cart</h1><ul><li data-key="p7">Apples</li></ul>';

describe("golden wire files", () => {
  const files = ourGoldenFiles();

  test("there are golden files for our client", () => {
    assert.ok(files.length > 0, "no golden files with \"client\": \"livetemplate\"");
  });

  for (const golden of files) {
    test(golden.file, () => {
      assert.equal(`${golden.name}.json`, golden.file, "the name must match the file name");
      assert.equal(golden.frames.length, golden.html.length, "one HTML per frame");
      // Once as parsed values, once as JSON text (as the Rust client reads them).
      const parsed = new Rendered();
      const text = new Rendered();
      golden.frames.forEach((frame, step) => {
        parsed.applyTree(frame);
        text.applyTree(JSON.stringify(frame));
        assert.equal(parsed.toHTML(), golden.html[step], `frame ${step}`);
        assert.equal(text.toHTML(), golden.html[step], `frame ${step} (JSON text)`);
      });
    });
  }
});

describe("applying frames", () => {
  test("first frame and text update", () => {
    assert.equal(html(CART, '{"0":"My cart"}'), CART_HTML.replace("Cart", "My cart"));
  });

  test("an empty update changes nothing", () => {
    const rendered = client(CART);
    const root = rendered.root;
    rendered.applyTree("{}");
    assert.equal(rendered.root, root);
    assert.equal(rendered.toHTML(), CART_HTML);
  });

  test("numbers and bools are text, as JavaScript's String() writes them", () => {
    const frame = '{"s":["","|","|","|","|","|",""],"0":42,"1":true,"2":1.5,"3":1e21,"4":-0.0000001,"5":-0}';
    assert.equal(html(frame), "42|true|1.5|1e+21|-1e-7|0");
  });

  test("text is inserted as is", () => {
    assert.equal(html('{"s":["<p>","</p>"],"0":"{{ name }} &amp; <b>"}'), "<p>{{ name }} &amp; <b></p>");
  });

  test("list operations in order", () => {
    const ops = `{"1":[["r","p7"],["a",[{"0":"p9","1":"Kiwis"}]],["p",[{"0":"p1","1":"Figs"}]],
      ["i","p1",{"0":"p2","1":"Dates"}],["u","p9",{"1":"Limes"}],["o",["p9","p1","p2"]]]}`;
    assert.equal(
      html(CART, ops),
      '<h1>Cart</h1><ul><li data-key="p9">Limes</li><li data-key="p1">Figs</li><li data-key="p2">Dates</li></ul>',
    );
  });

  test("items keyed by _k", () => {
    const first = '{"s":["<p>","</p>"],"0":{"s":["<b>","</b>"],"d":[{"0":"x","_k":"0"},{"0":"y","_k":"1"}]}}';
    const update = '{"0":[["r","1"],["u","0",{"0":"z"}],["a",[{"0":"w","_k":"1"}]]]}';
    assert.equal(html(first, update), "<p><b>z</b><b>w</b></p>");
  });

  test("_k wins over the idKey slot", () => {
    const first =
      '{"s":["",""],"0":{"s":["<i>","</i>"],"d":[{"0":"a"},{"0":"a","_k":"a<2"}],"m":{"idKey":"0"}}}';
    assert.equal(html(first, '{"0":[["r","a<2"]]}'), "<i>a</i>");
    assert.equal(html(first, '{"0":[["r","a"]]}'), "<i>a</i>");
    assert.equal(html(first, '{"0":[["o",["a<2"]]]}'), "<i>a</i>");
  });

  test("a key names the first item that has it", () => {
    const first = '{"s":["",""],"0":{"s":["<i>","</i>"],"d":[{"0":"a"},{"0":"a"},{"0":"b"}],"m":{"idKey":"0"}}}';
    // Both "a" name the first item: the reorder names it twice.
    throwsApply(() => html(first, '{"0":[["o",["a","a","b"]]]}'), "Shape", { path: "tree.0[0]" });
    assert.equal(html(first, '{"0":[["u","a",{"0":"c"}],["o",["a","c","b"]]]}'), "<i>a</i><i>c</i><i>b</i>");
  });

  test("a reorder drops the items it leaves out", () => {
    assert.equal(html(CART, '{"1":[["a",[{"0":"p9","1":"Kiwis"}]],["o",["p9"]]]}'), '<h1>Cart</h1><ul><li data-key="p9">Kiwis</li></ul>');
  });

  test("append with statics and meta", () => {
    const first = '{"s":["",""],"0":{"s":["<i>","</i>"],"d":[]}}';
    const append = '{"0":[["a",[{"0":"k","1":"v"}],["<b data-key=\\"","\\">","</b>"],{"idKey":"0"}],["u","k",{"1":"w"}]]}';
    assert.equal(html(first, append), '<b data-key="k">w</b>');
  });

  test("a new idKey applies even when nothing else changes", () => {
    const first = '{"s":["",""],"0":{"s":["<i>","</i>"],"d":[{"0":"a"},{"0":"b"}]}}';
    assert.equal(html(first, '{"0":[["a",[],null,{"idKey":"0"}]]}', '{"0":[["r","a"]]}'), "<i>b</i>");
  });

  test("statics cache by f", () => {
    const first = '{"s":["<div>","</div>"],"f":0,"0":{"s":["<b>","</b>"],"f":1,"0":"a"}}';
    const flip = '{"0":{"s":["<i>","</i>"],"f":2,"0":"b"}}';
    const back = '{"0":{"f":1,"0":"c"}}';
    const rendered = client(first, flip);
    assert.equal(rendered.staticsCount, 3);
    rendered.applyTree(back);
    assert.equal(rendered.toHTML(), "<div><b>c</b></div>");
    throwsApply(() => html(first, '{"0":{"f":9,"0":"c"}}'), "UnknownStatics", { path: "tree.0", id: 9 });
  });

  test("statics learnt earlier in the same frame", () => {
    const frame = '{"s":["","|",""],"0":{"s":["<b>","</b>"],"f":4,"0":"x"},"1":{"f":4,"0":"y"}}';
    assert.equal(html(frame), "<b>x</b>|<b>y</b>");
    // "s" with a known "f" replaces the table.
    assert.equal(html(frame, '{"1":{"s":["<i>","</i>"],"f":4,"0":"z"}}', '{"0":{"f":4,"0":"w"}}'), "<i>w</i>|<i>z</i>");
  });

  test("an update's slots apply in slot order (2 before 10), as the encoder writes them", () => {
    const parts = JSON.stringify(Array(12).fill(""));
    const slots = Array.from({ length: 11 }, (_, i) => `"${i}":"a"`).join(",");
    const update = '{"2":{"s":["<b>","</b>"],"f":5,"0":"x"},"10":{"f":5,"0":"y"}}';
    assert.equal(html(`{"s":${parts},"f":0,${slots}}`, update), "aa<b>x</b>aaaaaaa<b>y</b>");
  });

  test("a replaced node drops the old slots", () => {
    const first = '{"s":["<div>","</div>"],"0":{"s":["<b>","|","</b>"],"0":"a","1":"b"}}';
    assert.equal(html(first, '{"0":{"s":["<i>","</i>"],"0":"c"}}'), "<div><i>c</i></div>");
  });

  test("a list replaced by a node holding a list", () => {
    const first = '{"s":["<div>","</div>"],"0":{"s":["",""],"0":{"s":["<i>","</i>"],"d":[{"0":"a","_k":"0"}]}}}';
    const flip = '{"0":{"s":["<p>","</p>"],"0":{"s":["",""],"0":{"s":["<b>","</b>"],"d":[{"0":"b","_k":"0"}]}}}}';
    assert.equal(html(first, flip), "<div><p><b>b</b></p></div>");
  });

  test("a whole root replaces the tree", () => {
    assert.equal(html(CART, '{"s":["<p>","</p>"],"0":"new"}'), "<p>new</p>");
  });
});

describe("the tree is immutable", () => {
  test("a frame shares what it does not change", () => {
    const rendered = client(CART);
    const before = rendered.root;
    rendered.applyTree('{"0":"My cart"}');
    const after = rendered.root;
    assert.notEqual(after, before);
    assert.equal(after?.slots[1], before?.slots[1]);
    assert.equal(before?.slots[0], "Cart");
  });

  test("list operations copy the list", () => {
    const rendered = client(CART);
    const list = valueAt(rendered, [1]);
    rendered.applyTree('{"1":[["u","p7",{"1":"Pears"}]]}');
    assert.equal(htmlAt(rendered, [1, "p7"]), '<li data-key="p7">Pears</li>');
    assert.deepEqual(
      list !== undefined && typeof list !== "string" && list.kind === "list" ? list.items[0].slots : null,
      ["p7", "Apples"],
    );
  });
});

describe("values and HTML by path", () => {
  const rendered = client(
    '{"s":["<h1>","</h1>",""],"0":"Cart","1":{"s":["<ul>","</ul>"],"0":{"s":["<li data-key=\\"","\\">","</li>"],"d":[{"0":"p7","1":"Apples"},{"0":"p9","1":"Kiwis"}],"m":{"idKey":"0"}}}}',
  );

  test("the root", () => {
    assert.equal(htmlAt(rendered, []), rendered.toHTML());
    assert.equal(valueAt(rendered, []), rendered.root);
  });

  test("text, a node, a list", () => {
    assert.equal(htmlAt(rendered, [0]), "Cart");
    assert.equal(htmlAt(rendered, [1]), '<ul><li data-key="p7">Apples</li><li data-key="p9">Kiwis</li></ul>');
    assert.equal(htmlAt(rendered, [1, 0]), '<li data-key="p7">Apples</li><li data-key="p9">Kiwis</li>');
  });

  test("an item by key or by position", () => {
    assert.equal(htmlAt(rendered, [1, 0, "p9"]), '<li data-key="p9">Kiwis</li>');
    assert.equal(htmlAt(rendered, [1, 0, 0]), '<li data-key="p7">Apples</li>');
    assert.equal(htmlAt(rendered, [1, 0, "p9", 1]), "Kiwis");
    const item = valueAt(rendered, [1, 0, 1]);
    assert.ok(item !== undefined && typeof item !== "string" && item.kind === "item");
    assert.deepEqual(item.slots, ["p9", "Kiwis"]);
  });

  test("nothing there", () => {
    for (const path of [[2], [0, 0], [1, 0, "nope"], [1, 0, 5], [1, "0"], [1, 0.5], [1, -1]]) {
      assert.equal(htmlAt(rendered, path), undefined, JSON.stringify(path));
      assert.equal(valueAt(rendered, path), undefined, JSON.stringify(path));
    }
    assert.equal(htmlAt(new Rendered(), []), undefined);
  });
});

describe("errors", () => {
  test("not JSON", () => {
    throwsApply(() => html("{"), "Json");
    throwsApply(() => html(""), "Json");
  });

  test("an update before any whole tree", () => {
    throwsApply(() => html('{"0":"x"}'), "NoTree");
    throwsApply(() => new Rendered().toHTML(), "NoTree");
  });

  test("a list operation naming a key no item has", () => {
    throwsApply(() => html(CART, '{"1":[["r","nope"]]}'), "MissingKey", { key: "nope", path: "tree.1[0]" });
    throwsApply(() => html(CART, '{"1":[["u","nope",{}]]}'), "MissingKey", { key: "nope" });
    throwsApply(() => html(CART, '{"1":[["i","nope",{"0":"a","1":"b"}]]}'), "MissingKey", { key: "nope" });
    throwsApply(() => html(CART, '{"1":[["o",["p7","nope"]]]}'), "MissingKey", { key: "nope" });
  });

  test("list operations on a slot that holds no list", () => {
    throwsApply(() => html(CART, '{"0":[["r","p7"]]}'), "Shape", { path: "tree.0" });
  });

  test("a partial update of a slot that holds no node", () => {
    throwsApply(() => html(CART, '{"0":{"0":"x"}}'), "Shape", { path: "tree.0" });
    throwsApply(() => html(CART, '{"1":{"0":"x"}}'), "Shape", { path: "tree.1" });
  });

  test("malformed operations", () => {
    for (const op of ['["x"]', '["r"]', '["r","p7","extra"]', '["r",7]', '["u","p7"]', '["u","p7",[]]',
      '["i","p7"]', '["a"]', '["a",{}]', '["a",[],null,null,null]', '["p",[],null,null]', '["a",[],[]]',
      '["a",[],["x",1]]', '["o","p7"]', '["o",[7]]', '"r"', "[]", "[1,2]",
      "[0]", "[1,1.5,{}]", "[3]", "[5]", "[9,1]"]) {
      throwsApply(() => html(CART, `{"1":[${op}]}`), "Shape");
    }
    // An array starting with a number is a node in short form, `[id, slots…]`.
    throwsApply(() => html(CART, '{"1":[7]}'), "UnknownStatics", { path: "tree.1" });
  });

  test("keys that name no slot", () => {
    throwsApply(() => html(CART, '{"2":"x"}'), "UnknownKey", { key: "2", path: "tree" });
    throwsApply(() => html(CART, '{"01":"x"}'), "UnknownKey", { key: "01" });
    throwsApply(() => html(CART, '{"s":"x"}'), "Shape");
    throwsApply(() => html(CART, '{"1":[["u","p7",{"5":"x"}]]}'), "UnknownKey", { key: "5", path: "tree.1[0]" });
    throwsApply(() => html('{"s":["",""],"0":"a","x":"b"}'), "UnknownKey", { key: "x" });
    throwsApply(() => html('{"s":["",""],"0":{"s":[""],"d":[],"x":1}}'), "UnknownKey", { key: "x" });
    throwsApply(() => html('{"s":["",""],"0":{"s":["",""],"d":[],"m":{"idKey":"0","x":1}}}'), "UnknownKey", {
      key: "x",
      path: "tree.0.m",
    });
    throwsApply(() => html('{"s":["",""],"0":"a","18446744073709551616":1}'), "UnknownKey");
  });

  test("slots that do not match the statics", () => {
    throwsApply(() => html('{"s":["a","b"]}'), "SlotCount", { expected: 1, found: 0, path: "tree" });
    throwsApply(() => html('{"s":["a"],"0":"x"}'), "SlotCount", { expected: 0, found: 1 });
    throwsApply(() => html('{"s":["a","b","c"],"0":"x","2":"y"}'), "SlotCount", { expected: 2, found: 2 });
    throwsApply(() => html(CART, '{"1":[["a",[{"0":"p9"}]]]}'), "SlotCount", { path: "tree.1[0][0]" });
    // New statics from "a" that do not fit the items already held show when rendering.
    const rendered = client(CART, '{"1":[["a",[],["<i>","</i>"]]]}');
    throwsApply(() => rendered.toHTML(), "SlotCount", { expected: 1, found: 2 });
  });

  test("bad shapes", () => {
    throwsApply(() => html("[]"), "Shape", { path: "tree" });
    throwsApply(() => html("null"), "Shape");
    throwsApply(() => html('"x"'), "Shape");
    throwsApply(() => html(7), "Shape");
    throwsApply(() => html(undefined), "Shape");
    throwsApply(() => html('{"s":[]}'), "Shape");
    throwsApply(() => html('{"s":"x"}'), "Shape");
    throwsApply(() => html('{"s":[1]}'), "Shape");
    throwsApply(() => html('{"f":-1}'), "Shape");
    throwsApply(() => html('{"f":1.5}'), "Shape");
    throwsApply(() => html('{"f":"1"}'), "Shape");
    throwsApply(() => html('{"f":0}'), "UnknownStatics", { id: 0 });
    throwsApply(() => html('{"s":[""],"d":[]}'), "Shape", { message: "at tree: expected a node at the root, not a list" });
    throwsApply(() => html('{"s":["",""],"0":null}'), "Shape", { path: "tree.0" });
    throwsApply(() => html('{"s":["",""],"0":[]}'), "Shape");
    throwsApply(() => html('{"s":["",""],"0":{"0":"x"}}'), "Shape");
    throwsApply(() => html('{"s":["",""],"0":{"s":[""],"d":"x"}}'), "Shape", { path: "tree.0.d" });
    throwsApply(() => html('{"s":["",""],"0":{"s":[""],"d":[1]}}'), "Shape", { path: "tree.0[0]" });
    throwsApply(() => html('{"s":["",""],"0":{"s":["",""],"d":[{"0":"a","_k":1}]}}'), "Shape", { path: "tree.0[0]._k" });
    throwsApply(() => html('{"s":["",""],"0":{"s":[""],"d":[],"m":[]}}'), "Shape", { path: "tree.0.m" });
    throwsApply(() => html('{"s":["",""],"0":{"s":["",""],"d":[],"m":{"idKey":0}}}'), "Shape");
    throwsApply(() => html('{"s":["",""],"0":{"s":["",""],"d":[],"m":{"idKey":"1"}}}'), "Shape");
    throwsApply(() => html('{"s":["",""],"0":{"s":[""],"d":[],"m":{"idKey":"9"}}}'), "Shape");
  });

  test("messages read as the Rust client's", () => {
    const cases = [
      [['{"0":"x"}'], "no whole tree has been applied yet"],
      [[CART, '{"1":[["r","nope"]]}'], 'at tree.1[0]: no list item has the key "nope"'],
      [[CART, '{"1":[["u","p7",{"5":"x"}]]}'], 'at tree.1[0]: the key "5" names no slot'],
      [['{"s":["a","b"]}'], "at tree: the statics surround 1 slots, found 0"],
      [['{"s":["<div>","</div>"],"f":0,"0":{"s":["",""],"0":{"f":9}}}'], "at tree.0.0: unknown statics id 9"],
    ];
    for (const [frames, message] of cases) {
      assert.throws(() => html(...frames), { name: "ApplyError", message });
    }
  });

  test("depth is limited", () => {
    let deep = '"x"';
    for (let i = 0; i < MAX_DEPTH + 2; i++) deep = `{"s":["",""],"0":${deep}}`;
    throwsApply(() => html(deep), "TooDeep");
    let ok = '"x"';
    for (let i = 0; i < MAX_DEPTH; i++) ok = `{"s":["",""],"0":${ok}}`;
    assert.equal(html(ok), "x");
  });

  test("HTML size is limited", () => {
    const big = "x".repeat(1 << 20);
    const refs = Array.from({ length: 39 }, (_, i) => `"${i + 1}":{"f":1}`);
    const gaps = Array(41).fill('""').join(",");
    const rendered = client(`{"s":[${gaps}],"f":0,"0":{"s":["${big}"],"f":1},${refs.join(",")}}`);
    throwsApply(() => rendered.toHTML(), "TooLarge");
  });
});

describe("a bad frame changes nothing", () => {
  test("the tree", () => {
    const rendered = client(CART);
    const root = rendered.root;
    throwsApply(() => rendered.applyTree('{"0":"x","1":[["r","p7"],["r","p7"]]}'), "MissingKey");
    assert.equal(rendered.root, root);
    assert.equal(rendered.toHTML(), CART_HTML);
  });

  test("the statics cache", () => {
    const rendered = client('{"s":["<div>","</div>"],"f":0,"0":"a"}');
    assert.equal(rendered.staticsCount, 1);
    // The frame teaches "f": 1 and then fails: 1 must stay unknown.
    throwsApply(() => rendered.applyTree('{"0":{"s":["<b>","</b>"],"f":1,"0":{"f":7}}}'), "UnknownStatics");
    assert.equal(rendered.staticsCount, 1);
    throwsApply(() => rendered.applyTree('{"0":{"f":1,"0":"x"}}'), "UnknownStatics", { id: 1 });
    // Nor may it replace a table already known.
    throwsApply(() => rendered.applyTree('{"s":["<p>","</p>"],"f":0,"0":{"f":7}}'), "UnknownStatics");
    rendered.applyTree('{"s":["",""],"f":2,"0":{"f":0,"0":"b"}}');
    assert.equal(rendered.toHTML(), "<div>b</div>");
    assert.equal(rendered.staticsCount, 2);
  });

  test("a first frame that fails leaves no tree", () => {
    const rendered = new Rendered();
    throwsApply(() => rendered.applyTree('{"s":["",""],"f":0}'), "SlotCount");
    assert.equal(rendered.root, null);
    assert.equal(rendered.staticsCount, 0);
  });
});

test("garbage throws only ApplyError", () => {
  const inputs = [
    "", "null", "[]", '[["r"]]', '{"s":[]}', '{"s":"x"}', '{"s":[1]}', '{"f":-1}', '{"f":0}',
    '{"s":["",""],"0":{"s":[""],"d":"x"}}',
    '{"s":["",""],"0":{"s":[""],"d":[1],"m":{"idKey":"9"}}}',
    '{"s":["",""],"0":{"s":["",""],"d":[{"0":"a"}],"m":{"idKey":"0"}}}',
    '{"0":[["o",["a","a"]]]}', '{"0":[["a",[{}],["x","y","z"]]]}',
    '{"0":[["i","a",[{"0":1}]],["p",{}],["u","a",null]]}', '{"0":{"0":{"0":null}}}', '{"0":[[1,2]]}',
    '{"01":"x","18446744073709551616":1}', '{"__proto__":{"s":[""]},"constructor":1}',
    '{"s":["",""],"0":{"s":["",""],"d":[{"0":"a","__proto__":"x"}]}}', '{"0":[["o",["__proto__"]]]}',
  ];
  const rendered = new Rendered();
  for (const input of inputs) {
    for (const run of [() => rendered.applyTree(input), () => rendered.toHTML()]) {
      try {
        run();
      } catch (err) {
        assert.ok(err instanceof ApplyError, `${input}: ${err}`);
      }
    }
  }
});

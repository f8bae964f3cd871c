// Our client's short forms (read by src/tree.js and src/patch.js) and server frames
// (src/frame.js); the same cases as the Rust reference client's `short_forms` and
// `server_frames_in_both_envelopes` tests.

import assert from "node:assert/strict";
import { test } from "node:test";

import { parseFrame } from "../src/frame.js";
import { Rendered } from "../src/rendered.js";

const FIRST = `{"s":["<div>","</div><ul>","</ul>"],"f":0,"0":{"s":["<b>","</b>"],"f":1,"0":7},
  "1":{"s":["<li id=\\"","\\">","</li>"],"f":2,"d":[[1,"a"],[2,"b"]],"m":{"idKey":"0"}}}`;

/** @param {...string} frames */
function html(...frames) {
  const rendered = new Rendered();
  for (const frame of frames) rendered.applyTree(frame);
  return rendered.toHTML();
}

test("short forms read as the plain ones", () => {
  assert.equal(html(FIRST), '<div><b>7</b></div><ul><li id="1">a</li><li id="2">b</li></ul>');
  assert.equal(
    html(
      FIRST,
      '{"0":""}',
      '{"0":[1,"x"],"1":[[0,1],[3,[3,"c"],[4,"d"]],[2,3,[5,"e"]],[1,2,{"1":"B"}],[4,[0,"z"]],[5,0,2,3,5,4]]}',
    ),
    '<div><b>x</b></div><ul><li id="0">z</li><li id="2">B</li><li id="3">c</li><li id="5">e</li><li id="4">d</li></ul>',
  );
  assert.equal(html(FIRST, '{"1":[[0,1,2]]}'), "<div><b>7</b></div><ul></ul>");
});

test("bad short forms are errors, as in the Rust client", () => {
  /** @param {string} update @param {string} kind @param {string} path */
  const fails = (update, kind, path) =>
    assert.throws(() => html(FIRST, update), (/** @type {any} */ error) => {
      assert.equal(error.kind, kind, `${update}: ${error.message}`);
      assert.equal(error.path, path, update);
      return true;
    });
  fails('{"0":[9,"x"]}', "UnknownStatics", "tree.0");
  fails('{"0":[1]}', "SlotCount", "tree.0");
  fails('{"1":[[9,1]]}', "Shape", "tree.1[0]");
  fails('{"1":[[0]]}', "Shape", "tree.1[0]");
  fails('{"1":[[1,1.5,{}]]}', "Shape", "tree.1[0]");
  fails('{"1":[[0,8]]}', "MissingKey", "tree.1[0]");
  fails('{"0":[-1]}', "Shape", "tree.0");
  // Positions in the array name the slots and items, as in the Rust client.
  fails('{"0":[1,null]}', "Shape", "tree.0[1]");
  fails('{"1":[[3,[3,"c"],[4]]]}', "SlotCount", "tree.1[0][2]");
  fails('{"1":[[2,1,[5]]]}', "SlotCount", "tree.1[0][2]");
  fails('{"1":[[5,1,1]]}', "Shape", "tree.1[0]");
  fails('{"1":[[0,1,1]]}', "MissingKey", "tree.1[0]");
});

test("server frames in both envelopes", () => {
  // The tree as sent: applyTree reads its short forms.
  const tree = { 0: 1 };
  assert.deepEqual(parseFrame('[{"0":1}]'), { kind: "update", tree, meta: null, ref: null });
  assert.deepEqual(parseFrame('[3,{"0":1}]'), { kind: "update", tree, meta: null, ref: 3 });
  assert.deepEqual(parseFrame('[null,{"0":1},{"success":false}]'), {
    kind: "update",
    tree,
    meta: { success: false },
    ref: null,
  });
  assert.deepEqual(parseFrame('{"tree":{"0":1},"ref":3}'), { kind: "update", tree, meta: null, ref: 3 });
  assert.deepEqual(parseFrame('{"pong":true}'), { kind: "pong" });
  assert.deepEqual(parseFrame('{"type":"redirect","to":"/x"}'), { kind: "redirect", to: "/x" });
  assert.deepEqual(parseFrame('{"type":"error","code":"bad","message":"m"}'), {
    kind: "error",
    code: "bad",
    message: "m",
  });
  for (const bad of ["[]", "[1,2,3,4]", "{}", "7", "{"]) {
    assert.throws(() => parseFrame(bad), `${bad}`);
  }
});

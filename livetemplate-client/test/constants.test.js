// Checks src/constants.js against the literal keys and op names of the golden wire files, and
// against the Rust side's livetemplate/src/wire/keys.rs (tests/tests/protocol_spec.rs checks
// both against the tables of docs/src/protocol.md too).

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

import { expandTree } from "./compact.js";
import * as wire from "../src/constants.js";
import { OP_NAMES } from "../src/patch.js";
import { goldenFiles, ourGoldenFiles } from "./golden.js";

const TREE_KEYS = [wire.STATICS, wire.ITEMS, wire.LIST_META, wire.ID_KEY, wire.ITEM_KEY, wire.FINGERPRINT];
const OPS = [wire.OP_REMOVE, wire.OP_UPDATE, wire.OP_INSERT, wire.OP_APPEND, wire.OP_PREPEND, wire.OP_REORDER];
const CODES = [wire.CODE_REMOVE, wire.CODE_UPDATE, wire.CODE_INSERT, wire.CODE_APPEND, wire.CODE_PREPEND, wire.CODE_REORDER];
/** Exports of constants.js that are the client's own, not names of the protocol. */
const CLIENT_ONLY = ["DEV", "MAX_DEPTH", "MAX_HTML"];

/**
 * The non-numeric object keys and the op names used anywhere in `value`. An array whose
 * elements are all arrays is a list of operations.
 * @param {unknown} value
 * @param {Set<string>} keys
 * @param {Set<string>} ops
 */
function collect(value, keys, ops) {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(Array.isArray)) {
      for (const op of value) ops.add(String(op[0]));
    }
    for (const element of value) collect(element, keys, ops);
  } else if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (!/^[0-9]+$/.test(key)) keys.add(key);
      collect(inner, keys, ops);
    }
  }
}

test("the golden files for our client use exactly the tree keys and op names of constants.js", () => {
  const keys = new Set();
  const ops = new Set();
  // Read through the short forms, as the client reads them.
  for (const golden of ourGoldenFiles()) collect(golden.frames.map(expandTree), keys, ops);
  assert.deepEqual([...keys].sort(), [...TREE_KEYS].sort());
  assert.deepEqual([...ops].sort(), [...OPS].sort());
});

test("the legacy golden files use no tree key or op outside constants.js", () => {
  const keys = new Set();
  const ops = new Set();
  for (const golden of goldenFiles()) {
    if (golden.client === "legacy") collect(golden.frames, keys, ops);
  }
  for (const key of keys) assert.ok(TREE_KEYS.includes(key), `unknown key ${key}`);
  for (const op of ops) assert.ok(OPS.includes(op), `unknown op ${op}`);
});

test("every wire key is spelled once", () => {
  const values = [...TREE_KEYS, ...OPS];
  assert.equal(new Set(values).size, values.length);
});

test("each plain op name sits at its short code", () => {
  assert.equal(OP_NAMES.length, OPS.length);
  OPS.forEach((name, n) => assert.equal(OP_NAMES[CODES[n]], name, `code ${CODES[n]}`));
  assert.deepEqual([...CODES].sort(), OPS.map((_, n) => n));
});

const KEYS_RS = new URL("../../livetemplate/src/wire/keys.rs", import.meta.url);

/**
 * The constants of keys.rs: `pub(crate) const NAME: &str = "value";` or `…: u16 = 1009;`.
 * @param {string} source
 * @returns {Map<string, string | number>}
 */
function rustConstants(source) {
  /** @type {Map<string, string | number>} */
  const out = new Map();
  for (const [, name, type, value] of source.matchAll(/^pub\(crate\) const (\w+): (&str|u\d+) = (.*);$/gm)) {
    out.set(name, type == "&str" ? JSON.parse(value) : Number(value));
  }
  return out;
}

test("keys.rs spells every name and code of constants.js, with the same value", { skip: !existsSync(KEYS_RS) && "no keys.rs" }, () => {
  const rust = rustConstants(readFileSync(KEYS_RS, "utf8"));
  assert.ok(rust.size > 0, "no constants found in keys.rs");
  /** @type {Record<string, unknown>} */
  const ours = { ...wire };
  for (const [name, value] of rust) assert.equal(ours[name], value, `keys.rs ${name} = ${JSON.stringify(value)}`);
  const js = Object.keys(ours).filter((name) => !CLIENT_ONLY.includes(name));
  assert.deepEqual(js.filter((name) => !rust.has(name)), [], "in constants.js but not in keys.rs");
  for (const key of TREE_KEYS) assert.ok([...rust.values()].includes(key), `tree key ${key}`);
});

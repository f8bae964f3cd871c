// The tree cache as the bundle builds it (`--define:globalThis.LVT_DEV=false`, minified): the
// golden wire files give the same HTML, and errors keep their kinds, paths and details while
// their messages shrink to "<kind> at <path>".

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "node:test";

import { ourGoldenFiles } from "./golden.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ESBUILD = join(ROOT, "node_modules", "esbuild");

test("the production build of the tree cache", { skip: !existsSync(ESBUILD) && "esbuild is not installed" }, async () => {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [join(ROOT, "src", "rendered.js")],
    bundle: true,
    minify: true,
    format: "esm",
    write: false,
    define: { "globalThis.LVT_DEV": "false" },
  });
  const code = out.outputFiles[0].text;
  assert.ok(!code.includes("no list item has the key"), "the messages are left out");
  const dir = mkdtempSync(join(tmpdir(), "livetemplate-build-"));
  try {
    const file = join(dir, "rendered.mjs");
    writeFileSync(file, code);
    const { Rendered } = await import(pathToFileURL(file).href);
    for (const golden of ourGoldenFiles()) {
      const rendered = new Rendered();
      golden.frames.forEach((frame, step) => {
        rendered.applyTree(JSON.stringify(frame));
        assert.equal(rendered.toHTML(), golden.html[step], `${golden.file} frame ${step}`);
      });
    }
    const cart = '{"s":["<ul>","</ul>"],"0":{"s":["<li>","</li>"],"d":[{"0":"a"}],"m":{"idKey":"0"}}}';
    /** @param {string} update @param {Record<string, unknown>} fields */
    const fails = (update, fields) => {
      const rendered = new Rendered();
      rendered.applyTree(cart);
      assert.throws(() => rendered.applyTree(update), (/** @type {any} */ err) => {
        assert.equal(err.name, "ApplyError");
        for (const [field, value] of Object.entries(fields)) assert.equal(err[field], value, field);
        assert.equal(err.message, `${err.kind} at ${err.path}`);
        return true;
      });
    };
    fails('{"0":[["r","x"]]}', { kind: "MissingKey", path: "tree.0[0]", key: "x" });
    fails('{"0":[["a",[{"0":"b","1":"c"}]]]}', { kind: "SlotCount", path: "tree.0[0][0]", expected: 1, found: 2 });
    fails('{"0":{"0":"x"}}', { kind: "Shape", path: "tree.0" });
    fails('{"1":"x"}', { kind: "UnknownKey", path: "tree", key: "1" });
    fails('{"0":[5]}', { kind: "UnknownStatics", path: "tree.0", id: 5 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Checks that the committed dist/livetemplate.min.js is the build of src/ (`npm run build`),
// and that the bundle works as a classic <script>: it defines the global `LiveTemplate`.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import vm from "node:vm";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist", "livetemplate.min.js");

test("dist/livetemplate.min.js is up to date (run `npm run build`)", {
  skip: !existsSync(join(ROOT, "node_modules", "terser")) && "esbuild and terser are not installed",
}, async () => {
  const { bundle } = await import("../scripts/build.mjs");
  assert.equal(readFileSync(DIST, "utf8"), await bundle(), "the committed bundle is stale");
});

test("the bundle defines the global LiveTemplate", () => {
  /** @type {Record<string, any>} */
  const context = {};
  vm.runInNewContext(readFileSync(DIST, "utf8"), context);
  const { Rendered, ApplyError } = context.LiveTemplate;
  const rendered = new Rendered();
  rendered.applyTree('{"s":["<p>","</p>"],"f":0,"0":"one"}');
  rendered.applyTree('{"0":"two"}');
  assert.equal(rendered.toHTML(), "<p>two</p>");
  assert.throws(() => rendered.applyTree('{"0":{"f":9}}'), (err) => err instanceof ApplyError);
});

// Checks that the committed bundle, livetemplate/client/livetemplate.min.js (inside the Rust
// crate, which embeds it, so that the published crate carries it), is the build of src/
// (`npm run build`), and that it works as a classic <script>: it defines the global
// `LiveTemplate`.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import vm from "node:vm";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
// The same path as scripts/build.mjs's OUT (that module imports esbuild and terser, which the
// second test does not need).
const BUNDLE = join(ROOT, "..", "livetemplate", "client", "livetemplate.min.js");

test("livetemplate/client/livetemplate.min.js is up to date (run `npm run build`)", {
  skip: !existsSync(join(ROOT, "node_modules", "terser")) && "esbuild and terser are not installed",
}, async () => {
  const { OUT, bundle } = await import("../scripts/build.mjs");
  assert.equal(OUT, BUNDLE, "the build writes the bundle this test reads");
  assert.equal(readFileSync(BUNDLE, "utf8"), await bundle(), "the committed bundle is stale");
});

test("the bundle defines the global LiveTemplate", () => {
  /** @type {Record<string, any>} */
  const context = {};
  vm.runInNewContext(readFileSync(BUNDLE, "utf8"), context);
  const { Rendered, ApplyError } = context.LiveTemplate;
  const rendered = new Rendered();
  rendered.applyTree('{"s":["<p>","</p>"],"f":0,"0":"one"}');
  rendered.applyTree('{"0":"two"}');
  assert.equal(rendered.toHTML(), "<p>two</p>");
  assert.throws(() => rendered.applyTree('{"0":{"f":9}}'), (err) => err instanceof ApplyError);
});

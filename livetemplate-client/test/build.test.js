// The tree cache as the bundle builds it (`--define:globalThis.LVT_DEV=false`, minified): the
// golden wire files give the same HTML, a frame that does not apply still throws and changes
// nothing, and an error is only its kind (no path or details; the message is the kind).

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
    /** @param {string} update @param {string} kind */
    const fails = (update, kind) => {
      const rendered = new Rendered();
      rendered.applyTree(cart);
      const { root } = rendered;
      assert.throws(() => rendered.applyTree(update), (/** @type {any} */ err) => {
        assert.ok(err instanceof Error);
        assert.equal(err.name, "ApplyError");
        assert.equal(err.kind, kind, update);
        assert.equal(err.message, kind);
        assert.deepEqual(Object.keys(err).sort(), ["kind", "name"]);
        return true;
      });
      assert.equal(rendered.root, root, `${update} changes nothing`);
      assert.equal(rendered.toHTML(), "<ul><li>a</li></ul>");
    };
    fails('{"0":[["r","x"]]}', "MissingKey");
    fails('{"0":[["a",[{"0":"b","1":"c"}]]]}', "SlotCount");
    fails('{"0":{"0":"x"}}', "Shape");
    fails('{"1":"x"}', "UnknownKey");
    fails('{"0":[5]}', "UnknownStatics");
    fails('{"0":[["a",[{"0":"b"}],["<p>"]]]}', "SlotCount");
    fails("{", "Json");
    // Checks that only chose between two kinds are one in the bundle (see the README).
    fails('{"0":{"s":["<i>","</i>"],"x":"y"}}', "SlotCount"); // UnknownKey under DEV
    fails('{"0":{"s":[]}}', "UnknownStatics"); // Shape under DEV
    fails('{"0":[[1,"x",7]]}', "MissingKey"); // Shape under DEV
    fails('{"0":[[1,"a",7]]}', "Shape");
    fails(`{"0":${'{"s":["",""],"0":'.repeat(64)}"x"${"}".repeat(64)}}`, "TooDeep");
    const deep = new Rendered();
    deep.applyTree(`${'{"s":["",""],"0":'.repeat(64)}"x"${"}".repeat(64)}`);
    assert.equal(deep.toHTML(), "x", "64 levels apply");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Checks that the committed dist/livetemplate.min.js is the build of src/ (`npm run build`),
// and that the bundle works as a classic <script>: it defines the global `LiveTemplate`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import vm from "node:vm";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist", "livetemplate.min.js");
const ESBUILD = join(ROOT, "node_modules", ".bin", "esbuild");

test("dist/livetemplate.min.js is up to date (run `npm run build`)", {
  skip: !existsSync(ESBUILD) && "esbuild is not installed",
}, () => {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const [tool, ...args] = scripts.build.split(/\s+/);
  assert.equal(tool, "esbuild");
  const dir = mkdtempSync(join(tmpdir(), "livetemplate-client-"));
  try {
    const out = join(dir, "bundle.js");
    const built = spawnSync(ESBUILD, args.map((arg) => (arg.startsWith("--outfile=") ? `--outfile=${out}` : arg)), {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(built.status, 0, built.stderr);
    assert.equal(readFileSync(DIST, "utf8"), readFileSync(out, "utf8"), "the committed bundle is stale");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the bundle defines the global LiveTemplate", () => {
  /** @type {Record<string, any>} */
  const context = {};
  vm.runInNewContext(`${readFileSync(DIST, "utf8")};this.LiveTemplate = LiveTemplate;`, context);
  const { Rendered, ApplyError } = context.LiveTemplate;
  const rendered = new Rendered();
  rendered.applyTree('{"s":["<p>","</p>"],"f":0,"0":"one"}');
  rendered.applyTree('{"0":"two"}');
  assert.equal(rendered.toHTML(), "<p>two</p>");
  assert.throws(() => rendered.applyTree('{"0":{"f":9}}'), (err) => err instanceof ApplyError);
});

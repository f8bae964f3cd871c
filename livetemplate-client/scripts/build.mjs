// Builds ../livetemplate/client/livetemplate.min.js (`npm run build`): esbuild bundles
// src/global.js into one classic script, and terser minifies it (its output is about 3% smaller
// than esbuild's own minifier after brotli, and the bundle's size is a goal). The bundle is
// written inside the Rust crate, which embeds it, so the published crate carries it; it is the
// one committed copy. test/bundle.test.js checks that it is what this builds.

import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { minify } from "terser";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const OUT = fileURLToPath(new URL("../../livetemplate/client/livetemplate.min.js", import.meta.url));

/**
 * The bundle's text. `LVT_DEV` is false: errors keep their kinds but drop their paths, details
 * and messages (src/constants.js).
 * @returns {Promise<string>}
 */
export async function bundle() {
  const bundled = await build({
    entryPoints: [`${ROOT}src/global.js`],
    bundle: true,
    format: "iife",
    target: ["chrome91", "edge91", "firefox90", "safari15"],
    define: { "globalThis.LVT_DEV": "false" },
    // Folds the wire names of src/constants.js into the code that uses them (terser alone
    // keeps a variable for each name used more than once).
    minifySyntax: true,
    write: false,
    logLevel: "silent",
  });
  const { code } = await minify(bundled.outputFiles[0].text, {
    ecma: 2020,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
    mangle: true,
    format: { comments: false },
  });
  return `${code}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUT, await bundle());
}

// Prints the size of the bundle (../livetemplate/client/livetemplate.min.js): minified, gzip
// (level 9) and brotli (quality 11), in bytes. `npm run size` (after `npm run build`);
// `node scripts/size.mjs <file>` for another file; `npm run size -- --modules` adds each source
// module's minified bytes in the bundle (esbuild's metafile, a guide: terser's output is a
// little smaller).

import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith("--")) ?? new URL("../../livetemplate/client/livetemplate.min.js", import.meta.url);
const min = readFileSync(file);
const gzip = gzipSync(min, { level: 9 }).length;
const brotli = brotliCompressSync(min, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`min ${min.length} B (${kb(min.length)}), gzip ${gzip} B (${kb(gzip)}), brotli ${brotli} B (${kb(brotli)})`);

if (args.includes("--modules")) {
  const { build } = await import("esbuild");
  const { metafile } = await build({
    entryPoints: [new URL("../src/global.js", import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["chrome91", "edge91", "firefox90", "safari15"],
    define: { "globalThis.LVT_DEV": "false" },
    write: false,
    metafile: true,
  });
  const [output] = Object.values(metafile.outputs);
  const rows = Object.entries(output.inputs).sort(([, a], [, b]) => b.bytesInOutput - a.bytesInOutput);
  for (const [input, { bytesInOutput }] of rows) console.log(`${String(bytesInOutput).padStart(6)}  ${input}`);
}

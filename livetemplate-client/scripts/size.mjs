// Prints the size of the bundle: minified, gzip (level 9) and brotli (quality 11), in bytes.
// `npm run size` (after `npm run build`); `node scripts/size.mjs <file>` for another file.

import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const file = process.argv[2] ?? new URL("../dist/livetemplate.min.js", import.meta.url);
const min = readFileSync(file);
const gzip = gzipSync(min, { level: 9 }).length;
const brotli = brotliCompressSync(min, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`min ${min.length} B (${kb(min.length)}), gzip ${gzip} B (${kb(gzip)}), brotli ${brotli} B (${kb(brotli)})`);

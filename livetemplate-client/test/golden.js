// Loads the golden wire files shared with the Rust tests (testdata/wire/*.json).

import { readFileSync, readdirSync } from "node:fs";

/** The folder of the golden files, from this file: ../../testdata/wire. */
export const GOLDEN_DIR = new URL("../../testdata/wire/", import.meta.url);

/**
 * One connection's frames and the page's HTML after each.
 * @typedef {{ file: string, name: string, client: string, frames: unknown[], html: string[] }} Golden
 */

/**
 * Every golden file, sorted by name.
 * @returns {Golden[]}
 */
export function goldenFiles() {
  return readdirSync(GOLDEN_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(new URL(file, GOLDEN_DIR), "utf8")) }));
}

/**
 * The golden files written for our client (`"client": "livetemplate"`).
 * @returns {Golden[]}
 */
export function ourGoldenFiles() {
  return goldenFiles().filter((golden) => golden.client === "livetemplate");
}

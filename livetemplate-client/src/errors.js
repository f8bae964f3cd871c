// Why a frame could not be applied (ApplyError), and the tree paths its messages name
// ("tree.1[0]"), spelled as livetemplate/src/wire/apply.rs spells them.

import { MAX_DEPTH, MAX_HTML } from "./constants.js";

/**
 * What went wrong, named as the variants of the Rust reference client's `ApplyError`.
 * @typedef {"Json" | "NoTree" | "UnknownStatics" | "MissingKey" | "UnknownKey" | "Shape"
 *   | "SlotCount" | "TooDeep" | "TooLarge"} ApplyErrorKind
 */

/**
 * Where a value sits in the tree: a chain of steps, formatted only when an error needs it.
 * `seg` is `null` at the root, a string for a key (`.0`, `.m`) and a number for an index
 * (`[2]`: a list item, a list operation, or a slot while rendering).
 * @typedef {{ readonly parent: Path | null, readonly seg: string | number | null,
 *   readonly depth: number }} Path
 */

/** The root of the tree. @type {Path} */
export const ROOT = { parent: null, seg: null, depth: 0 };

/**
 * One step down from `path`.
 * @param {Path} path
 * @param {string | number} seg
 * @returns {Path}
 */
export function child(path, seg) {
  return { parent: path, seg, depth: path.depth + 1 };
}

/**
 * `tree.1[0].2`
 * @param {Path} path
 * @returns {string}
 */
export function pathText(path) {
  /** @type {string[]} */
  const parts = [];
  for (let at = /** @type {Path | null} */ (path); at !== null; at = at.parent) {
    const seg = at.seg;
    parts.push(seg === null ? "tree" : typeof seg === "number" ? `[${seg}]` : `.${seg}`);
  }
  return parts.reverse().join("");
}

/** A frame that could not be applied, or a tree that could not be rendered. */
export class ApplyError extends Error {
  /**
   * @param {ApplyErrorKind} kind
   * @param {string} message
   * @param {{ path?: string, key?: string, id?: number, expected?: number,
   *   found?: number }} [details]
   */
  constructor(kind, message, details = {}) {
    super(message);
    this.name = "ApplyError";
    /** What went wrong. @type {ApplyErrorKind} */
    this.kind = kind;
    /** Where in the tree (`"tree.1[0]"`), when the error has a place. @type {string | undefined} */
    this.path = details.path;
    /** The key of a `MissingKey` or `UnknownKey` error. @type {string | undefined} */
    this.key = details.key;
    /** The statics id of an `UnknownStatics` error. @type {number | undefined} */
    this.id = details.id;
    /** The number of slots the statics surround (`SlotCount`). @type {number | undefined} */
    this.expected = details.expected;
    /** The number of slots found (`SlotCount`). @type {number | undefined} */
    this.found = details.found;
  }
}

/** @param {string} text */
const quote = (text) => JSON.stringify(text);

/** @param {string} message */
export const jsonError = (message) =>
  new ApplyError("Json", `the frame is not valid JSON: ${message}`);

export const noTree = () => new ApplyError("NoTree", "no whole tree has been applied yet");

/** @param {Path} path @param {number} id */
export function unknownStatics(path, id) {
  const at = pathText(path);
  return new ApplyError("UnknownStatics", `at ${at}: unknown statics id ${id}`, { path: at, id });
}

/** @param {Path} path @param {string} key */
export function missingKey(path, key) {
  const at = pathText(path);
  const message = `at ${at}: no list item has the key ${quote(key)}`;
  return new ApplyError("MissingKey", message, { path: at, key });
}

/** @param {Path} path @param {string} key */
export function unknownKey(path, key) {
  const at = pathText(path);
  const message = `at ${at}: the key ${quote(key)} names no slot`;
  return new ApplyError("UnknownKey", message, { path: at, key });
}

/** @param {Path} path @param {string} expected what belongs there */
export function shape(path, expected) {
  const at = pathText(path);
  return new ApplyError("Shape", `at ${at}: expected ${expected}`, { path: at });
}

/** @param {Path} path @param {number} expected @param {number} found */
export function slotCount(path, expected, found) {
  const at = pathText(path);
  const message = `at ${at}: the statics surround ${expected} slots, found ${found}`;
  return new ApplyError("SlotCount", message, { path: at, expected, found });
}

/**
 * Throws `TooDeep` when `path` is nested deeper than `MAX_DEPTH`.
 * @param {Path} path
 */
export function checkDepth(path) {
  if (path.depth > MAX_DEPTH) {
    const at = pathText(path);
    throw new ApplyError("TooDeep", `at ${at}: nested deeper than ${MAX_DEPTH} levels`, {
      path: at,
    });
  }
}

export const tooLarge = () =>
  new ApplyError("TooLarge", `the HTML is longer than ${MAX_HTML} characters`);

// Why a frame could not be applied (ApplyError), and the tree paths it names ("tree.1[0]"),
// spelled as livetemplate/src/testing/client/ spells them.

import { DEV, MAX_DEPTH, MAX_HTML } from "./constants.js";

/**
 * What went wrong, named as the variants of the Rust reference client's `ApplyError`.
 * @typedef {"Json" | "NoTree" | "UnknownStatics" | "MissingKey" | "UnknownKey" | "Shape"
 *   | "SlotCount" | "TooDeep" | "TooLarge"} ApplyErrorKind
 */

/**
 * Where a value sits in the tree, formatted only when an error needs it: `[parent, step,
 * depth]`, the step a key (`.0`, `.m`) or an index (`[2]`: a list item, a list operation, a
 * slot given by position or while rendering). In the bundle (`!DEV`) errors have no path, and
 * a path is only its depth, a number: what `TooDeep` needs.
 * @typedef {readonly [Path | null, string | number, number] | number} Path
 */

/** The root of the tree. @type {Path} */
export const ROOT = DEV ? [null, "tree", 0] : 0;

/**
 * One step down from `path` (in the bundle, the same depth: only `deeper` counts levels).
 * @param {Path} path
 * @param {string | number} step
 * @returns {Path}
 */
export const child = (path, step) => (DEV ? [path, step, /** @type {any} */ (path)[2] + 1] : path);

/**
 * `tree.1[0].2`. (`DEV ? … :` leaves it out of the bundle, as it does the messages.)
 * @type {(path: any) => string}
 */
const pathText = DEV
  ? ([parent, step]) => (parent ? pathText(parent) + (typeof step == "number" ? `[${step}]` : `.${step}`) : step)
  : String;

/**
 * The details of an error: the `key` of a `MissingKey` or `UnknownKey`, the statics `id` of an
 * `UnknownStatics`, the slots `expected` (the statics surround) and `found` of a `SlotCount`.
 * @typedef {{ key?: string, id?: number, expected?: number, found?: number }} Details
 */

/**
 * A frame that could not be applied, or a tree that could not be rendered. `kind` says what,
 * `path` where (`"tree.1[0]"`, when the error has a place), and the `Details` fields the rest.
 * In the bundle (`!DEV`) an error has only its `kind`, which is also its message.
 */
export class ApplyError extends Error {
  /**
   * @param {ApplyErrorKind} kind
   * @param {Path | null} [path]
   * @param {Details} [details]
   * @param {string | false} [what] `Shape`: what belongs there; `Json`: the parser's message
   */
  constructor(kind, path, details = {}, what) {
    const at = DEV && path ? pathText(path) : undefined;
    super(
      DEV
        ? (at ? `at ${at}: ` : "") +
            (kind == "Json"
              ? `the frame is not valid JSON: ${what}`
              : kind == "NoTree"
                ? "no whole tree has been applied yet"
                : kind == "UnknownStatics"
                  ? `unknown statics id ${details.id}`
                  : kind == "MissingKey"
                    ? `no list item has the key ${JSON.stringify(details.key)}`
                    : kind == "UnknownKey"
                      ? `the key ${JSON.stringify(details.key)} names no slot`
                      : kind == "SlotCount"
                        ? `the statics surround ${details.expected} slots, found ${details.found}`
                        : kind == "TooDeep"
                          ? `nested deeper than ${MAX_DEPTH} levels`
                          : kind == "TooLarge"
                            ? `the HTML is longer than ${MAX_HTML} characters`
                            : `expected ${what}`)
        : kind,
    );
    this.name = "ApplyError";
    /** @type {ApplyErrorKind} */
    this.kind = kind;
    if (DEV) {
      /** @type {string | undefined} */
      this.path = at;
      Object.assign(this, details);
    }
  }
}

/**
 * A new `ApplyError`: the modules make their errors here and through the helpers below. In the
 * bundle it passes on only the kind, so that the minifier drops the other arguments (and the
 * work of computing them) at every call.
 * @param {ApplyErrorKind} kind
 * @param {Path | null} [path]
 * @param {Details} [details]
 * @param {string | false} [what] `Shape`: what belongs there; `Json`: the parser's message
 */
export const fail = (kind, path, details, what) => (DEV ? new ApplyError(kind, path, details, what) : new ApplyError(kind));

/**
 * A value of the wrong shape for its place.
 * @param {Path} path
 * @param {string | false} what what belongs there: `DEV && "…"`, so that the bundle drops it
 */
export const shape = (path, what) => fail("Shape", path, {}, what);

/**
 * Throws a `Shape` error at `path` unless `ok`.
 * @param {unknown} ok
 * @param {Path} path
 * @param {string | false} what what belongs there: `DEV && "…"`
 * @returns {asserts ok}
 */
export function expect(ok, path, what) {
  if (!ok) throw shape(path, what);
}

/** @param {Path} path @param {number} expected @param {number} found */
export const slotCount = (path, expected, found) => fail("SlotCount", path, { expected, found });

/** @param {Path} path @param {string} key */
export const unknownKey = (path, key) => fail("UnknownKey", path, { key });

/**
 * One step down from `path` to a value that is read next (a slot, a list item, a list
 * operation): throws `TooDeep` when that is nested deeper than `MAX_DEPTH`.
 * @param {Path} path
 * @param {string | number} step
 * @returns {Path}
 */
export const deeper = (path, step) => {
  const next = DEV ? child(path, step) : /** @type {number} */ (path) + 1;
  if ((DEV ? /** @type {any} */ (next)[2] : next) > MAX_DEPTH) throw fail("TooDeep", next);
  return next;
};

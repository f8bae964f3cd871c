// For tests: our client's short forms (livetemplate/src/wire/encode.rs, "Our client's short
// forms") expanded into the plain forms of docs/src/protocol.md ("Short forms"). The client
// itself reads the short forms
// natively (src/tree.js, src/patch.js); constants.test.js reads the golden files through this.
//
//   42                 → "42"                    a whole number as text
//   [3, "a"]           → {f: 3, 0: "a"}          a node whose table the client holds
//   ["a", "b"]  (item) → {0: "a", 1: "b"}        a list item by position
//   [0, k1, k2]        → ["r", k1], ["r", k2]    list operations: 0 remove, 1 update,
//   [1, k, c]          → ["u", k, c]             2 insert, 3 append, 4 prepend, 5 reorder
//   [2, after, item]   → ["i", after, item]
//   [3, item, …]       → ["a", [item, …]]
//   [4, item, …]       → ["p", [item, …]]
//   [5, k, …]          → ["o", [k, …]]
//
// A slot value that is an array is list operations when its first element is an array, and a
// node when it is a number. Plain forms pass through unchanged, so both are accepted.

/**
 * A frame's `"tree"` value with every short form expanded.
 * @param {unknown} tree
 * @returns {unknown}
 */
export function expandTree(tree) {
  return value(tree);
}

/** @param {unknown} v @returns {unknown} */
function value(v) {
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) {
    if (typeof v[0] === "number") return positional(v.slice(1), { f: v[0] });
    return v.flatMap(op);
  }
  if (typeof v !== "object" || v === null) return v;
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, slot] of Object.entries(v)) {
    out[key] =
      key === "d" && Array.isArray(slot)
        ? slot.map(item)
        : key === "s" || key === "f" || key === "m" || key === "_k"
          ? slot
          : value(slot);
  }
  return out;
}

/**
 * Slots given by position, added to `into` as `"0"`, `"1"`, ….
 * @param {unknown[]} slots @param {Record<string, unknown>} into
 */
function positional(slots, into) {
  slots.forEach((slot, i) => {
    into[i] = value(slot);
  });
  return into;
}

/** @param {unknown} v */
function item(v) {
  return Array.isArray(v) ? positional(v, {}) : value(v);
}

/** @param {unknown} v */
function key(v) {
  return Number.isInteger(v) ? String(v) : v;
}

/** @type {Record<number, string>} */
const CODES = { 0: "r", 1: "u", 2: "i", 3: "a", 4: "p", 5: "o" };

/**
 * One list operation, as one or more plain operations (a short remove may name several keys).
 * @param {unknown} v
 * @returns {unknown[]}
 */
function op(v) {
  if (!Array.isArray(v) || typeof v[0] !== "number" || !(v[0] in CODES) || v.length < 2) {
    return [v];
  }
  const [code, ...args] = v;
  const name = CODES[code];
  switch (name) {
    case "r":
      return args.map((k) => ["r", key(k)]);
    case "u":
      return [["u", key(args[0]), ...args.slice(1).map(value)]];
    case "i":
      return [["i", key(args[0]), ...args.slice(1).map(item)]];
    case "o":
      return [["o", args.map(key)]];
    default:
      return [[name, args.map(item)]];
  }
}

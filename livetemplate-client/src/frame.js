// Reading the server's frames: the plain object form of PROTOCOL.md and our client's short
// update envelope (`[tree]`, `[ref, tree]`, `[ref, tree, meta]`).

import { expandTree } from "./compact.js";

/**
 * A frame from the server.
 * @typedef {{ kind: "update", tree: unknown, meta: Record<string, any> | null, ref: number | null }
 *   | { kind: "error", code: string, message: string }
 *   | { kind: "redirect", to: string }
 *   | { kind: "pong" }} ServerFrame
 */

/**
 * Parses one text frame; the update's tree comes with its short forms expanded.
 * @param {string} text
 * @returns {ServerFrame}
 * @throws {SyntaxError | TypeError} when the text is no frame
 */
export function parseFrame(text) {
  const frame = JSON.parse(text);
  if (Array.isArray(frame)) {
    if (frame.length < 1 || frame.length > 3) throw new TypeError(`not a frame: ${text.slice(0, 80)}`);
    const [ref, tree, meta] = frame.length === 1 ? [null, frame[0], null] : frame;
    return { kind: "update", tree: expandTree(tree), meta: meta ?? null, ref: ref ?? null };
  }
  if (typeof frame !== "object" || frame === null) throw new TypeError(`not a frame: ${text.slice(0, 80)}`);
  if ("tree" in frame) {
    return { kind: "update", tree: expandTree(frame.tree), meta: frame.meta ?? null, ref: frame.ref ?? null };
  }
  if (frame.type === "error") return { kind: "error", code: String(frame.code), message: String(frame.message ?? "") };
  if (frame.type === "redirect") return { kind: "redirect", to: String(frame.to) };
  if (frame.pong === true) return { kind: "pong" };
  throw new TypeError(`not a frame: ${text.slice(0, 80)}`);
}

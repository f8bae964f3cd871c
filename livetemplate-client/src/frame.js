// Reading the server's frames (docs/src/protocol.md, "Server → client frames"): the plain
// object form and our client's short update envelope (`[tree]`, `[ref, tree]`,
// `[ref, tree, meta]`). The tree is left as sent: `Rendered.applyTree` reads its short forms.

import { FRAME_CODE, FRAME_MESSAGE, FRAME_META, FRAME_PONG, FRAME_REF, FRAME_TO, FRAME_TREE, FRAME_TYPE, TYPE_ERROR, TYPE_REDIRECT } from "./constants.js";

/**
 * A frame from the server.
 * @typedef {{ kind: "update", tree: unknown, meta: Record<string, any> | null, ref: number | null }
 *   | { kind: "error", code: string, message: string }
 *   | { kind: "redirect", to: string }
 *   | { kind: "pong" }} ServerFrame
 */

/**
 * Parses one text frame.
 * @param {string} text
 * @returns {ServerFrame}
 * @throws {SyntaxError | TypeError} when the text is no frame
 */
export function parseFrame(text) {
  let frame = JSON.parse(text);
  const n = frame?.length;
  // The short envelope as the plain one: `[tree]`, `[ref, tree]`, `[ref, tree, meta]`.
  if (Array.isArray(frame)) frame = n && n < 4 && { [FRAME_TREE]: frame[+(n > 1)], [FRAME_META]: frame[2], [FRAME_REF]: n > 1 ? frame[0] : null };
  // (`in` throws a TypeError for anything but an object.)
  if (FRAME_TREE in frame) return { kind: "update", tree: frame[FRAME_TREE], meta: frame[FRAME_META] ?? null, ref: frame[FRAME_REF] ?? null };
  const { [FRAME_TYPE]: type } = frame;
  // (A frame's kind is named as its type.)
  if (type == TYPE_ERROR) return { kind: type, code: String(frame[FRAME_CODE]), message: String(frame[FRAME_MESSAGE] ?? "") };
  if (type == TYPE_REDIRECT) return { kind: type, to: String(frame[FRAME_TO]) };
  if (frame[FRAME_PONG] === true) return { kind: "pong" };
  throw new TypeError("not a frame");
}

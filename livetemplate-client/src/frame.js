// Reading the server's frames: the plain object form of PROTOCOL.md and our client's short
// update envelope (`[tree]`, `[ref, tree]`, `[ref, tree, meta]`). The tree is left as sent:
// `Rendered.applyTree` reads its short forms.

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
  if (Array.isArray(frame)) frame = n && n < 4 && { tree: frame[+(n > 1)], meta: frame[2], ref: n > 1 ? frame[0] : null };
  // (`in` throws a TypeError for anything but an object.)
  if ("tree" in frame) return { kind: "update", tree: frame.tree, meta: frame.meta ?? null, ref: frame.ref ?? null };
  const { type } = frame;
  if (type == "error") return { kind: type, code: String(frame.code), message: String(frame.message ?? "") };
  if (type == "redirect") return { kind: type, to: String(frame.to) };
  if (frame.pong === true) return { kind: "pong" };
  throw new TypeError("not a frame");
}

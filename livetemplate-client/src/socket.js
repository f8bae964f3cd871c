// The transport of one live region: a WebSocket to the page's own URL, with a heartbeat and
// reconnects (exponential backoff with jitter), and the HTTP path (JSON GET for the tree, JSON
// POST for actions) whenever the socket cannot be opened — never a permanent downgrade: the
// socket is retried on the same backoff, and takes over as soon as it opens.

import { ACTION_PING, CLIENT_PARAM, MSG_ACTION } from "./constants.js";
import { parseFrame } from "./frame.js";

/** @typedef {import("./frame.js").ServerFrame} Frame */

/**
 * Reads one frame's text: every frame that arrives, over the socket or HTTP, passes here.
 * @param {string} text
 * @returns {Frame | null} null when the text is not a frame
 */
export function readFrame(text) {
  try {
    return parseFrame(text);
  } catch {
    return null;
  }
}

/**
 * A socket's owner (its view): the page's current address, read at each connect, and what
 * the socket reports — each frame, the connection up (over HTTP or not) and down.
 * @typedef {{
 *   href(): string,
 *   frame(frame: Frame, text: string, at: number): void,
 *   opened(http: boolean): void,
 *   closed(): void,
 * }} SocketOwner
 */

/**
 * Timings, all in milliseconds; tests shrink them.
 * @typedef {{ ping: number, pong: number, base: number, max: number }} SocketTimes
 */

/** @type {SocketTimes} */
export const TIMES = { ping: 10000, pong: 2000, base: 250, max: 10000 };

/**
 * The page's own URL with `_lvt=1`, as `ws:`/`wss:` for the socket or as is for fetch.
 * @param {string} href the page's address
 * @param {boolean} ws
 */
export function liveURL(href, ws) {
  const url = new URL(href);
  url.hash = "";
  url.searchParams.set(CLIENT_PARAM, "1");
  if (ws) url.protocol = url.protocol.replace("http", "ws"); // https: → wss:
  return url.href;
}

/**
 * The delay before reconnect attempt `n` (0, 1, …): `base·2ⁿ` capped at `max`, then scaled by
 * a random factor in [0.5, 1) so that many tabs of a restarted server do not return at once.
 * @param {number} n
 * @param {SocketTimes} times
 * @param {number} random in [0, 1)
 */
export function backoff(n, times, random) {
  // (`2 ** n` grows to Infinity, never past it: the cap holds.)
  return Math.min(times.base * 2 ** n, times.max) * (0.5 + random / 2);
}

/** One live region's connection. */
export class Socket {
  /** @type {WebSocket | null} */
  #ws = null;
  /** Whether the HTTP path is in use (the socket could not be opened). */
  http = false;
  /** Whether `opened` was reported and `closed` not since. */
  up = false;
  #tries = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retry;
  /** The heartbeat's timer: the next ping, or the pong awaited. @type {ReturnType<typeof setTimeout> | undefined} */
  #beat;
  #stopped = false;

  /**
   * @param {SocketOwner} on
   * @param {SocketTimes} [times]
   * @param {{ WebSocket?: typeof WebSocket, fetch?: typeof fetch, random?: () => number }} [env]
   */
  constructor(on, times = TIMES, env = globalThis) {
    this.on = on;
    this.times = times;
    this.env = env;
  }

  /** Connects: the socket when the browser has WebSockets, else the HTTP path. */
  start() {
    this.#stopped = false;
    this.#connect();
  }

  /** Closes everything; no reconnect follows. */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#drop();
    this.#down();
  }

  /**
   * Sends a message: over the socket, or as a JSON POST on the HTTP path.
   * @param {Record<string, unknown>} message
   * @returns {boolean} false when not connected (the message is dropped)
   */
  send(message) {
    if (!this.up) return false;
    const text = JSON.stringify(message);
    if (this.http) this.#request(text);
    else /** @type {WebSocket} */ (this.#ws).send(text);
    return true;
  }

  /** Fetches the whole tree again over HTTP (after a frame that did not apply). */
  resync() {
    if (this.http) this.#request();
    else this.#ws?.close();
  }

  /** Opens the socket; without WebSockets, GETs the tree (the HTTP path). */
  #connect() {
    const WS = this.env.WebSocket;
    if (!WS) return this.#request();
    let opened = false;
    /** @type {WebSocket} */
    let ws;
    try {
      ws = this.#ws = new WS(liveURL(this.on.href(), true));
    } catch {
      return this.#failed(false);
    }
    ws.onopen = () => {
      opened = true;
      this.#tries = 0;
      this.#alive();
    };
    ws.onmessage = ({ data }) => {
      const at = performance.now();
      const frame = readFrame(data);
      if (!frame || this.#ws !== ws) return;
      if (frame.kind == "pong") return this.#alive();
      if (!this.up || this.http) {
        // The first frame of a socket: it takes over from the HTTP path, if that was in use.
        this.http = false;
        this.up = true;
        this.on.opened(false);
      }
      this.on.frame(frame, data, at);
    };
    ws.onclose = () => {
      if (this.#ws === ws) {
        this.#ws = null;
        this.#failed(opened);
      }
    };
  }

  /**
   * The socket closed, or never opened.
   * @param {boolean} opened
   */
  #failed(opened) {
    clearTimeout(this.#beat);
    if (this.#stopped) return;
    // Refused (or no server): try the HTTP path at once; the socket is retried meanwhile.
    if (!opened && !this.http) return this.#request();
    if (!this.http) this.#down();
    this.#later();
  }

  /** Tries the socket (or the HTTP path) again after the backoff. */
  #later() {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(
      () => this.#ws || this.#connect(),
      backoff(this.#tries++, this.times, (this.env.random ?? Math.random)()),
    );
  }

  /**
   * The heartbeat: a ping `times.ping` after the socket opened or the last pong; no pong
   * within `times.pong` drops the socket.
   */
  #alive() {
    clearTimeout(this.#beat);
    this.#beat = setTimeout(() => {
      // Background tabs run timers late: no verdict on a socket from a hidden page.
      if (globalThis.document?.hidden) return this.#alive();
      this.#ws?.send(JSON.stringify({ [MSG_ACTION]: ACTION_PING }));
      this.#beat = setTimeout(() => {
        this.#drop();
        this.#failed(true);
      }, this.times.pong);
    }, this.times.ping);
  }

  /** Closes the socket at once: its `close` event, whenever it comes, is no longer ours. */
  #drop() {
    const ws = this.#ws;
    this.#ws = null;
    clearTimeout(this.#beat);
    ws?.close();
  }

  #down() {
    const up = this.up;
    this.up = this.http = false;
    if (up) this.on.closed();
  }

  /**
   * GETs the whole tree (no `body`), or POSTs an action. A frame makes the HTTP path the
   * transport, unless a socket took over meanwhile (then a GET's tree is not needed).
   * @param {string} [body]
   */
  async #request(body) {
    let frame = null;
    let text = "";
    try {
      const response = await /** @type {typeof fetch} */ (this.env.fetch)(liveURL(this.on.href(), false), {
        method: body ? "POST" : "GET",
        body,
        headers: { Accept: "application/json", "Content-Type": "application/json" },
      });
      text = await response.text();
      frame = readFrame(text) ?? (response.ok ? null : { kind: /** @type {const} */ ("error"), code: `http_${response.status}`, message: text });
    } catch {}
    if (this.#stopped || (!body && this.#ws)) return;
    if (!frame) {
      // The server out of reach (unless the socket took over meanwhile): back to reconnecting.
      if (this.http || !this.up) {
        this.#down();
        this.#later();
      }
      return;
    }
    if (!this.up) {
      this.http = this.up = true;
      this.on.opened(true);
    }
    this.on.frame(frame, text, performance.now());
    // On the HTTP path the socket keeps being tried.
    if (!body && this.env.WebSocket) this.#later();
  }
}

// The transport of one live region: a WebSocket to the page's own URL, with a heartbeat and
// reconnects (exponential backoff with jitter), and the HTTP path (JSON GET for the tree, JSON
// POST for actions) whenever the socket cannot be opened — never a permanent downgrade: the
// socket is retried on the same backoff, and takes over as soon as it opens.

import { ACTION_PING } from "./constants.js";
import { parseFrame } from "./frame.js";

/** The query parameter that announces our client (its extensions: `ref`, redirect, flash). */
export const CLIENT_PARAM = "_lvt";

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
 * What a socket reports to its owner.
 * @typedef {{
 *   frame(frame: Frame, text: string, at: number): void,
 *   open(http: boolean): void,
 *   close(): void,
 * }} SocketHandler
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
  if (ws) url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
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
  return Math.min(times.base * 2 ** Math.min(n, 20), times.max) * (0.5 + random / 2);
}

/** One live region's connection. */
export class Socket {
  /** @type {WebSocket | null} */
  #ws = null;
  /** Whether the HTTP path is in use (the socket could not be opened). */
  http = false;
  /** Whether `open` was reported and `close` not since. */
  up = false;
  #tries = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retry;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #ping;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #pong;
  #stopped = false;

  /**
   * @param {() => string} href the page's current address (read at each connect)
   * @param {SocketHandler} on
   * @param {SocketTimes} [times]
   * @param {{ WebSocket?: typeof WebSocket, fetch?: typeof fetch, random?: () => number }} [env]
   */
  constructor(href, on, times = TIMES, env = globalThis) {
    this.href = href;
    this.on = on;
    this.times = times;
    this.env = env;
  }

  /** Connects: the socket when the browser has WebSockets, else the HTTP path. */
  start() {
    this.#stopped = false;
    if (this.env.WebSocket) this.#open();
    else this.#httpStart();
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
    if (!this.http) {
      /** @type {WebSocket} */ (this.#ws).send(JSON.stringify(message));
      return true;
    }
    this.#post(message);
    return true;
  }

  /** Fetches the whole tree again over HTTP (after a frame that did not apply). */
  resync() {
    if (this.http) this.#get();
    else this.#ws?.close();
  }

  #open() {
    const Ws = /** @type {typeof WebSocket} */ (this.env.WebSocket);
    let ws;
    try {
      ws = new Ws(liveURL(this.href(), true));
    } catch {
      this.#failed(false);
      return;
    }
    this.#ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#tries = 0;
      this.#beat();
    };
    ws.onmessage = (event) => {
      const at = performance.now();
      const text = String(event.data);
      const frame = readFrame(text);
      if (!frame) return;
      if (frame.kind === "pong") {
        clearTimeout(this.#pong);
        this.#pong = undefined;
        return;
      }
      if (this.#ws !== ws) return;
      if (!this.up || this.http) {
        // The first frame of a socket: it takes over from the HTTP path, if that was in use.
        this.http = false;
        this.up = true;
        this.on.open(false);
      }
      this.on.frame(frame, text, at);
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#failed(opened);
    };
  }

  /**
   * The socket closed, or never opened.
   * @param {boolean} opened
   */
  #failed(opened) {
    clearTimeout(this.#ping);
    clearTimeout(this.#pong);
    this.#pong = undefined;
    if (this.#stopped) return;
    if (!opened && !this.http) {
      // Refused (or no server): try the HTTP path at once; the socket is retried meanwhile.
      this.#down();
      this.#httpStart();
      return;
    }
    if (!this.http) this.#down();
    this.#later();
  }

  #later() {
    clearTimeout(this.#retry);
    const delay = backoff(this.#tries++, this.times, (this.env.random ?? Math.random)());
    this.#retry = setTimeout(() => {
      if (this.#stopped || this.#ws) return;
      if (this.env.WebSocket) this.#open();
      else if (!this.up) this.#httpStart();
    }, delay);
  }

  /** The heartbeat: a ping every `times.ping`; no pong within `times.pong` drops the socket. */
  #beat() {
    clearTimeout(this.#ping);
    this.#ping = setTimeout(() => {
      const ws = this.#ws;
      if (!ws) return;
      this.#beat();
      // Background tabs run timers late: no verdict on a socket from a hidden page.
      if (globalThis.document?.hidden) return;
      ws.send(JSON.stringify({ action: ACTION_PING }));
      this.#pong = setTimeout(() => {
        if (this.#ws === ws) {
          this.#ws = null;
          ws.onclose = null;
          ws.close();
          this.#failed(true);
        }
      }, this.times.pong);
    }, this.times.ping);
  }

  #drop() {
    const ws = this.#ws;
    this.#ws = null;
    clearTimeout(this.#ping);
    clearTimeout(this.#pong);
    if (ws) {
      ws.onclose = null;
      ws.close();
    }
  }

  #down() {
    const up = this.up;
    this.up = false;
    this.http = false;
    if (up) this.on.close();
  }

  #httpStart() {
    this.#get().then((ok) => {
      if (this.#stopped) return;
      if (!ok) this.#down();
      // Keep trying the socket (it takes over when it opens), or the server, until one works.
      if (!ok || this.env.WebSocket) this.#later();
    });
  }

  /**
   * GETs the whole tree; on success the HTTP path is the transport.
   * @returns {Promise<boolean>}
   */
  async #get() {
    const [frame, text] = await this.#fetch("GET");
    if (!frame || this.#ws || this.#stopped) return !!frame;
    if (!this.up) {
      this.http = true;
      this.up = true;
      this.on.open(true);
    }
    this.on.frame(frame, text, performance.now());
    return true;
  }

  /** @param {Record<string, unknown>} message */
  async #post(message) {
    const [frame, text] = await this.#fetch("POST", JSON.stringify(message));
    if (frame) this.on.frame(frame, text, performance.now());
    else if (!this.#stopped && this.http) {
      this.#down();
      this.#later();
    }
  }

  /**
   * @param {string} method
   * @param {string} [body]
   * @returns {Promise<[Frame | null, string]>} the frame (null when the server is out of reach)
 *   and its text
   */
  async #fetch(method, body) {
    const get = /** @type {typeof fetch} */ (this.env.fetch);
    try {
      const response = await get(liveURL(this.href(), false), {
        method,
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
      });
      const text = await response.text();
      const frame = readFrame(text);
      if (frame || response.ok) return [frame, text];
      return [{ kind: "error", code: `http_${response.status}`, message: text }, text];
    } catch {
      return [null, ""];
    }
  }
}

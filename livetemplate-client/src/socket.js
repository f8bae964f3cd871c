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
    if (!this.http) /** @type {WebSocket} */ (this.#ws).send(text);
    // The server out of reach: back to reconnecting.
    else this.#request(text).then((ok) => ok || this.#stopped || !this.http || (this.#down(), this.#later()));
    return true;
  }

  /** Fetches the whole tree again over HTTP (after a frame that did not apply). */
  resync() {
    if (this.http) this.#request();
    else this.#ws?.close();
  }

  #connect() {
    if (this.env.WebSocket) this.#open();
    else if (!this.up) this.#httpStart();
  }

  #open() {
    let opened = false;
    /** @type {WebSocket} */
    let ws;
    try {
      ws = this.#ws = new /** @type {typeof WebSocket} */ (this.env.WebSocket)(liveURL(this.href(), true));
    } catch {
      return this.#failed(false);
    }
    ws.onopen = () => {
      opened = true;
      this.#tries = 0;
      this.#beat();
    };
    ws.onmessage = ({ data }) => {
      const at = performance.now();
      const frame = readFrame(data);
      if (frame?.kind === "pong") clearTimeout(this.#pong);
      else if (frame && this.#ws === ws) {
        if (!this.up || this.http) {
          // The first frame of a socket: it takes over from the HTTP path, if that was in use.
          this.http = false;
          this.up = true;
          this.on.open(false);
        }
        this.on.frame(frame, data, at);
      }
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
    clearTimeout(this.#ping);
    clearTimeout(this.#pong);
    if (this.#stopped) return;
    if (this.http) return this.#later();
    this.#down();
    // Refused (or no server): try the HTTP path at once; the socket is retried meanwhile.
    if (opened) this.#later();
    else this.#httpStart();
  }

  #later() {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(
      () => this.#stopped || this.#ws || this.#connect(),
      backoff(this.#tries++, this.times, (this.env.random ?? Math.random)()),
    );
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
      this.#pong = setTimeout(() => this.#ws === ws && (this.#drop(), this.#failed(true)), this.times.pong);
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
    this.up = this.http = false;
    if (up) this.on.close();
  }

  /** The HTTP path: GETs the tree; keeps trying the socket (it takes over when it opens), or the server, until one works. */
  async #httpStart() {
    const ok = await this.#request();
    if (this.#stopped) return;
    if (!ok) this.#down();
    if (!ok || this.env.WebSocket) this.#later();
  }

  /**
   * GETs the whole tree (no `body`), or POSTs an action. A frame makes the HTTP path the
   * transport, unless a socket took over meanwhile (then a GET's tree is not needed).
   * @param {string} [body]
   * @returns {Promise<boolean>} whether the server answered with a frame
   */
  async #request(body) {
    let frame = null;
    let text = "";
    try {
      const response = await /** @type {typeof fetch} */ (this.env.fetch)(liveURL(this.href(), false), {
        method: body ? "POST" : "GET",
        body,
        headers: { Accept: "application/json", "Content-Type": "application/json" },
      });
      text = await response.text();
      frame = readFrame(text) ?? (response.ok ? null : { kind: /** @type {const} */ ("error"), code: `http_${response.status}`, message: text });
    } catch {}
    if (!frame || this.#stopped || (!body && this.#ws)) return !!frame;
    if (!this.up) {
      this.http = this.up = true;
      this.on.open(true);
    }
    this.on.frame(frame, text, performance.now());
    return true;
  }
}

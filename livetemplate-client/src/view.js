// One live region (`[data-lvt-id]`): its events (a View is the region's `Events`), its socket,
// its tree. The first frame renders the region, updates patch it; each action's element shows a
// loading state until the frame answering it (same `ref`) arrives; after a reconnect the region
// is resynced from the full tree and the fields the user was editing keep their values.

import {
  ACTION_CHANGE,
  ACTION_NAVIGATE,
  FLASH_KIND,
  FLASH_MESSAGE,
  META_CAPABILITIES,
  META_ERRORS,
  META_FLASH,
  META_SUCCESS,
  MSG_ACTION,
  MSG_DATA,
  MSG_REF,
  MSG_SUBMITTER,
  STATICS,
} from "./constants.js";
import { patchRegion } from "./dom/patch.js";
import { Events } from "./events.js";
import { formData, put, restore } from "./forms.js";
import { Rendered } from "./rendered.js";
import { Socket } from "./socket.js";

/** @typedef {import("./socket.js").Frame} Frame */
/** @typedef {import("./forms.js").Data} Data */
/** @typedef {{ success: boolean, errors: Record<string, string> } & Record<string, unknown>} Meta */

/** The class an element has while its action is in flight (with `aria-busy="true"`). */
export const LOADING = "lvt-loading";

/**
 * Dispatches a bubbling `lvt:<name>` event.
 * @param {EventTarget} target
 * @param {string} name
 * @param {unknown} [detail]
 */
export function emit(target, name, detail) {
  const Custom = /** @type {any} */ (target).ownerDocument.defaultView.CustomEvent;
  target.dispatchEvent(new Custom(`lvt:${name}`, { bubbles: true, detail }));
}

/** @param {string} error */
const failed = (error) => ({ [META_SUCCESS]: false, [META_ERRORS]: {}, error });

/** A live region. */
export class View extends Events {
  rendered = new Rendered();
  /** The elements of each action in flight (the element, a form's submitter), by `ref`. @type {Map<number, Element[]>} */
  pending = new Map();
  #ref = 0;
  /** Set by a reconnect: the next full tree is a resync. */
  #resync = false;

  /**
   * @param {Element} region
   * @param {{ times?: import("./socket.js").SocketTimes, env?: any, href?: () => string }} [options]
   */
  constructor(region, options = {}) {
    super(region);
    this.win = /** @type {Window} */ (region.ownerDocument.defaultView);
    /** The page's current address. */
    this.href = options.href ?? (() => this.win.location.href);
    this.socket = new Socket(this, options.times, options.env);
    /** The query string the server last heard of (`__navigate__` only when it changes). */
    this.query = new URL(this.href()).search;
    this.onpop = () => new URL(this.href()).search !== this.query && this.navigate();
  }

  start() {
    this.win.addEventListener("popstate", this.onpop);
    this.socket.start();
  }

  /** @override */
  stop() {
    this.win.removeEventListener("popstate", this.onpop);
    this.socket.stop();
    super.stop();
  }

  /** @override */
  live() {
    return this.socket.up;
  }

  /**
   * The socket is connected.
   * @param {boolean} http over the HTTP path
   */
  opened(http) {
    emit(this.region, "connected", { http });
  }

  /** The socket is disconnected: the actions in flight fail, and the next full tree is a resync. */
  closed() {
    for (const ref of this.pending.keys()) this.#settle(ref, failed("disconnected"));
    this.#resync = true;
    emit(this.region, "disconnected");
  }

  /**
   * Sends an action. The element (a form and the button that submitted it, a button, an
   * `lvt-on:*` element) shows the loading state until the answer arrives, and receives
   * `lvt:pending`, then `lvt:done` and `lvt:success` or `lvt:error` (detail: the frame's meta,
   * with `errors`).
   * @override
   * @param {string} action
   * @param {Data} [data]
   * @param {Element} [el]
   * @param {Element | null} [submitter] the button or input that submitted a form
   * @returns {number} the message's ref, or 0 when it could not be sent
   */
  send(action, data = {}, el, submitter) {
    const ref = ++this.#ref;
    /** @type {Record<string, unknown>} */
    const message = { [MSG_ACTION]: action, [MSG_DATA]: data, [MSG_REF]: ref };
    const name = /** @type {HTMLButtonElement | null | undefined} */ (submitter)?.name;
    if (name) message[MSG_SUBMITTER] = name;
    if (!this.socket.send(message)) {
      // Not connected: the action is dropped, and its element told so.
      emit(el ?? this.region, "error", failed("disconnected"));
      return 0;
    }
    if (el && action !== ACTION_CHANGE) {
      const els = submitter ? [el, submitter] : [el];
      this.pending.set(ref, els);
      for (const e of els) {
        e.classList.add(LOADING);
        e.setAttribute("aria-busy", "true");
      }
      emit(el, "pending", message);
    }
    return ref;
  }

  /** Tells the server the query string changed (history navigation). */
  navigate() {
    /** @type {Data} */
    const data = {};
    const url = new URL(this.href());
    this.query = url.search;
    for (const [k, v] of url.searchParams) put(data, k, v);
    this.send(ACTION_NAVIGATE, data);
  }

  /**
   * Follows a redirect frame.
   * @param {string} to
   */
  go(to) {
    this.win.location.assign(to);
  }

  /**
   * One frame from the server: a redirect is followed; an error is reported; an update is
   * applied (a whole tree also resyncs: see the README's Reconnect), its flash shown, and the
   * action it answers settled.
   * @param {Frame} frame
   * @param {string} text its JSON text: the events its HTML names are listened for
   * @param {number} at when it arrived (`performance.now()`)
   */
  frame(frame, text, at) {
    const region = this.region;
    if (frame.kind == "redirect") return this.go(frame.to);
    if (frame.kind == "error") {
      emit(region, "error", { code: frame.code, message: frame.message });
      // Errors carry no ref: the server answers in order, so it is the oldest action's.
      const [oldest] = this.pending.keys();
      return this.#settle(oldest, failed(frame.code));
    }
    if (frame.kind != "update") return;
    this.scan(text);
    const { tree, meta, ref } = frame;
    // A whole tree: the first frame, or a resync (a new connection, new statics ids).
    const whole = !!(/** @type {any} */ (tree)?.[STATICS]);
    try {
      if (whole) this.rendered = new Rendered();
      patchRegion(region, this.rendered, this.rendered.applyTree(tree));
    } catch (error) {
      emit(region, "error", { code: "apply", message: String(error) });
      return this.socket.resync();
    }
    if (whole) {
      // Live validation follows the server's capabilities; the user's edits win over the
      // server's values, and after a reconnect each edited form is sent again (its
      // `lvt-on:change` or `lvt-on:input` action, or `change` per field for live validation)
      // so the server sees them too.
      const caps = meta?.[META_CAPABILITIES];
      this.change = Array.isArray(caps) && caps.includes(ACTION_CHANGE);
      restore(region, this.edits);
      /** The messages sent again, each once. @type {Set<string>} */
      const sent = new Set();
      for (const el of this.#resync ? this.edits.keys() : []) {
        const { form, name } = /** @type {HTMLInputElement} */ (el);
        const action = form?.getAttribute("lvt-on:change") ?? form?.getAttribute("lvt-on:input");
        if (!form || !(action || this.change)) continue;
        const data = formData(form);
        /** @type {[string, Data]} */
        const message = action ? [action, data] : [ACTION_CHANGE, { [name]: data[name] ?? "" }];
        const json = JSON.stringify(message);
        if (!sent.has(json)) {
          sent.add(json);
          this.send(...message);
        }
      }
      this.#resync = false;
    }
    const flash = meta?.[META_FLASH];
    if (flash?.length) {
      // `meta.flash`: `[{kind, message}]`, also shown in the page's `[data-lvt-flash]` element.
      emit(region, "flash", flash);
      const doc = region.ownerDocument;
      const box = doc.querySelector("[data-lvt-flash]");
      for (const { [FLASH_KIND]: kind, [FLASH_MESSAGE]: message } of box ? flash : []) {
        const p = doc.createElement("p");
        p.className = "lvt-flash";
        p.dataset.kind = kind;
        p.setAttribute("role", "status");
        p.textContent = message;
        box?.append(p);
      }
    }
    this.#settle(ref, /** @type {Meta} */ (meta ?? { [META_SUCCESS]: true, [META_ERRORS]: {} }));
    emit(region, "updated", { ref, meta, whole, received: at, ms: performance.now() - at });
  }

  /**
   * The answer to the action `ref` arrived: the loading state ends; on success its form is
   * reset (unless `lvt-form:preserve`) and `lvt:success` fires, else `lvt:error`.
   * @param {number | null | undefined} ref
   * @param {Meta} meta
   */
  #settle(ref, meta) {
    const els = this.pending.get(/** @type {number} */ (ref));
    if (!els) return;
    this.pending.delete(/** @type {number} */ (ref));
    for (const e of els) {
      e.classList.remove(LOADING);
      e.removeAttribute("aria-busy");
    }
    const form = /** @type {HTMLFormElement} */ (els[0]);
    emit(form, "done", meta);
    if (meta[META_SUCCESS] && form.localName == "form") {
      for (const field of this.edits.keys()) if (/** @type {HTMLInputElement} */ (field).form == form) this.edits.delete(field);
      // The prototype's reset: a form's `.reset` is its field named "reset", if it has one.
      if (!form.hasAttribute("lvt-form:preserve")) Object.getPrototypeOf(form).reset.call(form);
    }
    emit(form, meta[META_SUCCESS] ? "success" : "error", meta);
  }
}

// One live region (`[data-lvt-id]`): its socket, its tree, its events. The first frame renders
// the region, updates patch it; each action's element shows a loading state until the frame
// answering it (same `ref`) arrives; after a reconnect the region is resynced from the full
// tree and the fields the user was editing keep their values.

import { ACTION_CHANGE, ACTION_NAVIGATE, STATICS } from "./constants.js";
import { patchRegion, renderRegion } from "./dom/patch.js";
import { Events } from "./events.js";
import { edit, formData, formKey, restore } from "./forms.js";
import { Rendered } from "./rendered.js";
import { Socket } from "./socket.js";

/** @typedef {import("./socket.js").Frame} Frame */
/** @typedef {import("./forms.js").Data} Data */
/** @typedef {import("./forms.js").Edit} Edit */

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

/** @param {string} name a `[name="…"]` selector for it */
const named = (name) => `[name="${name.replace(/["\\]/g, "\\$&")}"]`;

/** @typedef {{ form: string, name: string, start: number | null, end: number | null } | null} Focus */

/**
 * @param {Element | null | undefined} el
 * @param {boolean} on
 */
function busy(el, on) {
  if (!el) return;
  el.classList.toggle(LOADING, on);
  if (on) el.setAttribute("aria-busy", "true");
  else el.removeAttribute("aria-busy");
}

/** A live region. */
export class View {
  rendered = new Rendered();
  /** Actions in flight, by `ref`. @type {Map<number, { el: Element, sub: Element | null }>} */
  pending = new Map();
  /** Fields the user changed since their form last succeeded. @type {Map<Element, Edit>} */
  edits = new Map();
  #ref = 0;
  /** Whether a frame was ever applied (the next full tree is then a resync). */
  #shown = false;
  /** Set by a reconnect: the next full tree is a resync. */
  #resync = false;

  /**
   * @param {Element} region
   * @param {{ times?: import("./socket.js").SocketTimes, env?: any, href?: () => string }} [options]
   */
  constructor(region, options = {}) {
    this.region = region;
    this.events = new Events(
      region,
      (action, data, el, sub) => this.send(action, data, el, sub),
      (el) => this.edits.set(el, edit(el, region)),
      () => this.socket.up,
    );
    const win = region.ownerDocument.defaultView;
    this.href = options.href ?? (() => String(win?.location.href));
    this.socket = new Socket(this.href, {
      frame: (frame, text, at) => this.frame(frame, text, at),
      open: (http) => emit(region, "connected", { http }),
      close: () => this.#closed(),
    }, options.times, options.env);
    /** The query string the server last heard of (`__navigate__` only when it changes). */
    this.query = new URL(this.href()).search;
    this.onpop = () => new URL(this.href()).search !== this.query && this.navigate();
  }

  start() {
    this.region.ownerDocument.defaultView?.addEventListener("popstate", this.onpop);
    this.socket.start();
  }

  stop() {
    this.region.ownerDocument.defaultView?.removeEventListener("popstate", this.onpop);
    this.socket.stop();
    this.events.stop();
  }

  /**
   * Sends an action. The element (a form, a button, an `lvt-on:*` element) shows the loading
   * state until the answer arrives, and receives `lvt:pending`, then `lvt:done` and
   * `lvt:success` or `lvt:error` (detail: the frame's meta, with `errors`).
   * @param {string} action
   * @param {Data} [data]
   * @param {Element} [el]
   * @param {string} [submitter]
   * @returns {number} the message's ref, or 0 when it could not be sent
   */
  send(action, data = {}, el, submitter) {
    const ref = ++this.#ref;
    /** @type {Record<string, unknown>} */
    const message = { action, data, ref };
    if (submitter) message.submitter = submitter;
    if (!this.socket.send(message)) {
      // Not connected: the action is dropped, and its element told so.
      emit(el ?? this.region, "error", { success: false, errors: {}, error: "disconnected" });
      return 0;
    }
    if (el && action !== ACTION_CHANGE) {
      const form = el.localName === "form" ? el : null;
      const sub = form && submitter ? form.querySelector(named(submitter)) : null;
      this.pending.set(ref, { el, sub });
      busy(el, true);
      busy(sub, true);
      emit(el, "pending", message);
    }
    return ref;
  }

  /**
   * Tells the server the query string changed (history navigation), and keeps the address
   * `href` when given.
   * @param {string} [href]
   */
  navigate(href) {
    const win = this.region.ownerDocument.defaultView;
    if (href && win) win.history.pushState(null, "", href);
    /** @type {Record<string, string | string[]>} */
    const data = {};
    const url = new URL(this.href());
    this.query = url.search;
    for (const [k, v] of url.searchParams) {
      const had = data[k];
      data[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    }
    this.send(ACTION_NAVIGATE, data);
  }

  /**
   * Follows a redirect frame.
   * @param {string} to
   */
  go(to) {
    this.region.ownerDocument.defaultView?.location.assign(to);
  }

  /**
   * One frame from the server.
   * @param {Frame} frame
   * @param {string} [text] its JSON text: the events its HTML names are listened for
   * @param {number} [at] when it arrived (`performance.now()`)
   */
  frame(frame, text = "", at = performance.now()) {
    const region = this.region;
    if (frame.kind === "redirect") return this.go(String(frame.to));
    if (frame.kind === "error") {
      emit(region, "error", { code: frame.code, message: frame.message });
      // Errors carry no ref: the server answers in order, so it is the oldest action's.
      const [oldest] = this.pending.keys();
      if (oldest !== undefined) this.#settle(oldest, { success: false, errors: {}, error: frame.code });
      return;
    }
    if (frame.kind !== "update") return;
    if (text) this.events.scan(text);
    const tree = frame.tree;
    const meta = frame.meta;
    const whole = tree && typeof tree === "object" && STATICS in tree;
    const focus = whole ? this.#focus() : null;
    try {
      if (whole && !this.#shown) {
        this.rendered = new Rendered();
        this.rendered.applyTree(tree);
        renderRegion(region, this.rendered);
      } else {
        patchRegion(region, this.rendered, this.rendered.applyTree(tree));
      }
      if (whole) this.#resynced(focus);
    } catch (error) {
      emit(region, "error", { code: "apply", message: String(error) });
      this.socket.resync();
      return;
    }
    this.#shown = true;
    if (whole) {
      const caps = meta?.capabilities;
      this.events.change = Array.isArray(caps) && caps.includes(ACTION_CHANGE);
    }
    if (meta?.flash?.length) this.#flash(meta.flash);
    const ref = frame.ref;
    if (typeof ref === "number") this.#settle(ref, /** @type {any} */ (meta) ?? { success: true, errors: {} });
    const done = performance.now();
    emit(region, "updated", { ref, meta, whole, received: at, ms: done - at });
  }

  /**
   * The answer to the action `ref` arrived: the loading state ends; on success its form is
   * reset (unless `lvt-form:preserve`) and `lvt:success` fires, else `lvt:error`.
   * @param {number} ref
   * @param {{ success: boolean, errors: Record<string, string> } & Record<string, unknown>} meta
   */
  #settle(ref, meta) {
    const entry = this.pending.get(ref);
    if (!entry) return;
    this.pending.delete(ref);
    const { el, sub } = entry;
    busy(el, false);
    busy(sub, false);
    emit(el, "done", meta);
    if (meta.success) {
      if (el.localName === "form") {
        const form = /** @type {HTMLFormElement} */ (el);
        for (const field of this.edits.keys()) if (/** @type {HTMLInputElement} */ (field).form === form) this.edits.delete(field);
        if (!form.hasAttribute("lvt-form:preserve")) form.reset();
      }
      emit(el, "success", meta);
    } else {
      emit(el, "error", meta);
    }
  }

  #closed() {
    for (const ref of [...this.pending.keys()]) this.#settle(ref, { success: false, errors: {}, error: "disconnected" });
    this.#resync = true;
    emit(this.region, "disconnected");
  }

  /**
   * The focused field and its selection, to find again after a resync.
   * @returns {Focus}
   */
  #focus() {
    const active = /** @type {HTMLInputElement | null} */ (this.region.ownerDocument.activeElement);
    if (!active || !this.region.contains(active) || !active.name) return null;
    let start = null;
    let end = null;
    try {
      start = active.selectionStart;
      end = active.selectionEnd;
    } catch {}
    return { form: formKey(active, this.region), name: active.name, start, end };
  }

  /**
   * After a full tree replaced the region: the user's edits win over the server's values, the
   * focus returns to its field, and each edited form is sent again (its `lvt-on:change` or
   * `lvt-on:input` action, or `change` for live validation) so the server sees them too.
   * @param {Focus} focus
   */
  #resynced(focus) {
    const region = this.region;
    if (!this.edits.size && !focus) return;
    const edits = (this.edits = restore(region, this.edits));
    const doc = region.ownerDocument;
    if (focus && !region.contains(doc.activeElement)) {
      for (const el of region.querySelectorAll(named(focus.name))) {
        if (formKey(el, region) !== focus.form) continue;
        const field = /** @type {HTMLInputElement} */ (el);
        field.focus();
        try {
          if (focus.start !== null) field.setSelectionRange(focus.start, focus.end);
        } catch {}
        break;
      }
    }
    if (!this.#resync) return;
    this.#resync = false;
    /** @type {Set<HTMLFormElement>} */
    const forms = new Set();
    for (const field of edits.keys()) {
      const form = /** @type {HTMLInputElement} */ (field).form;
      if (form) forms.add(form);
    }
    for (const form of forms) {
      const action = form.getAttribute("lvt-on:change") ?? form.getAttribute("lvt-on:input");
      if (action) this.send(action, formData(form));
      else if (this.events.change) {
        for (const e of edits.values()) if (e.form === formKey(form, region)) this.send(ACTION_CHANGE, { [e.name]: formData(form)[e.name] ?? "" });
      }
    }
  }

  /**
   * Flash messages (`meta.flash`: `[{kind, message}]`): an `lvt:flash` event on the region,
   * and a `<p class="lvt-flash" data-kind="…">` each in the page's `[data-lvt-flash]` element.
   * @param {{ kind: string, message: string }[]} flash
   */
  #flash(flash) {
    emit(this.region, "flash", flash);
    const box = this.region.ownerDocument.querySelector("[data-lvt-flash]");
    for (const { kind, message } of box ? flash : []) {
      const p = this.region.ownerDocument.createElement("p");
      p.className = "lvt-flash";
      p.dataset.kind = kind;
      p.setAttribute("role", "status");
      p.textContent = message;
      box?.append(p);
    }
  }
}

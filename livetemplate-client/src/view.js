// One live region (`[data-lvt-id]`): its socket, its tree, its events. The first frame renders
// the region, updates patch it; each action's element shows a loading state until the frame
// answering it (same `ref`) arrives; after a reconnect the region is resynced from the full
// tree and the fields the user was editing keep their values.

import { ACTION_CHANGE, ACTION_NAVIGATE, STATICS } from "./constants.js";
import { patchRegion } from "./dom/patch.js";
import { Events } from "./events.js";
import { edit, fieldsAt, formData, formKey, put, restore } from "./forms.js";
import { Rendered } from "./rendered.js";
import { Socket } from "./socket.js";

/** @typedef {import("./socket.js").Frame} Frame */
/** @typedef {import("./forms.js").Data} Data */
/** @typedef {import("./forms.js").Edit} Edit */
/** @typedef {{ success: boolean, errors: Record<string, string> } & Record<string, unknown>} Meta */
/** @typedef {{ form: string, name: string, start: number | null, end: number | null }} Focus */

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
const failed = (error) => ({ success: false, errors: {}, error });

/** A live region. */
export class View {
  rendered = new Rendered();
  /** The elements of each action in flight (the element, a form's submitter), by `ref`. @type {Map<number, Element[]>} */
  pending = new Map();
  /** Fields the user changed since their form last succeeded. @type {Map<Element, Edit>} */
  edits = new Map();
  #ref = 0;
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
      close: () => {
        for (const ref of [...this.pending.keys()]) this.#settle(ref, failed("disconnected"));
        this.#resync = true;
        emit(region, "disconnected");
      },
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
   * Sends an action. The element (a form and the button that submitted it, a button, an
   * `lvt-on:*` element) shows the loading state until the answer arrives, and receives
   * `lvt:pending`, then `lvt:done` and `lvt:success` or `lvt:error` (detail: the frame's meta,
   * with `errors`).
   * @param {string} action
   * @param {Data} [data]
   * @param {Element} [el]
   * @param {Element | null} [submitter] the button or input that submitted a form
   * @returns {number} the message's ref, or 0 when it could not be sent
   */
  send(action, data = {}, el, submitter) {
    const ref = ++this.#ref;
    /** @type {Record<string, unknown>} */
    const message = { action, data, ref };
    const name = /** @type {HTMLButtonElement | null | undefined} */ (submitter)?.name;
    if (name) message.submitter = name;
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
    if (frame.kind == "redirect") return this.go(frame.to);
    if (frame.kind == "error") {
      emit(region, "error", { code: frame.code, message: frame.message });
      // Errors carry no ref: the server answers in order, so it is the oldest action's.
      const [oldest] = this.pending.keys();
      return this.#settle(oldest, failed(frame.code));
    }
    if (frame.kind != "update") return;
    this.events.scan(text);
    const { tree, meta, ref } = frame;
    // A whole tree: the first frame, or a resync (a new connection, new statics ids).
    const whole = !!tree && typeof tree == "object" && STATICS in tree;
    const focus = whole && this.#focus();
    try {
      if (whole) this.rendered = new Rendered();
      patchRegion(region, this.rendered, this.rendered.applyTree(tree));
      if (whole) this.#resynced(focus);
    } catch (error) {
      emit(region, "error", { code: "apply", message: String(error) });
      return this.socket.resync();
    }
    if (whole) {
      const caps = meta?.capabilities;
      this.events.change = Array.isArray(caps) && caps.includes(ACTION_CHANGE);
    }
    if (meta?.flash?.length) this.#flash(meta.flash);
    if (typeof ref == "number") this.#settle(ref, /** @type {Meta} */ (meta ?? { success: true, errors: {} }));
    emit(region, "updated", { ref, meta, whole, received: at, ms: performance.now() - at });
  }

  /**
   * The answer to the action `ref` arrived: the loading state ends; on success its form is
   * reset (unless `lvt-form:preserve`) and `lvt:success` fires, else `lvt:error`.
   * @param {number | undefined} ref
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
    if (meta.success && form.localName == "form") {
      for (const field of this.edits.keys()) if (/** @type {HTMLInputElement} */ (field).form == form) this.edits.delete(field);
      if (!form.hasAttribute("lvt-form:preserve")) form.reset();
    }
    emit(form, meta.success ? "success" : "error", meta);
  }

  /**
   * The focused field and its selection, to find again after a resync.
   * @returns {Focus | null}
   */
  #focus() {
    const field = /** @type {HTMLInputElement | null} */ (this.region.ownerDocument.activeElement);
    if (!field?.name || !this.region.contains(field)) return null;
    /** @type {Focus} */
    const focus = { form: formKey(field, this.region), name: field.name, start: null, end: null };
    try {
      // Chrome throws for the types without a selection (email, number).
      focus.start = field.selectionStart;
      focus.end = field.selectionEnd;
    } catch {}
    return focus;
  }

  /**
   * After a full tree replaced the region: the user's edits win over the server's values, the
   * focus returns to its field, and each edited form is sent again (its `lvt-on:change` or
   * `lvt-on:input` action, or `change` for live validation) so the server sees them too.
   * @param {Focus | null | false} focus
   */
  #resynced(focus) {
    const region = this.region;
    const edits = (this.edits = restore(region, this.edits));
    const [field] = focus && !region.contains(region.ownerDocument.activeElement) ? fieldsAt(region, focus.form, focus.name) : [];
    if (field && focus) {
      field.focus();
      try {
        if (focus.start !== null) field.setSelectionRange(focus.start, focus.end);
      } catch {}
    }
    if (!this.#resync) return;
    this.#resync = false;
    /** The names edited in each form. @type {Map<HTMLFormElement, Set<string>>} */
    const forms = new Map();
    for (const [el, { name }] of edits) {
      const form = /** @type {HTMLInputElement} */ (el).form;
      if (form) forms.set(form, (forms.get(form) ?? new Set()).add(name));
    }
    for (const [form, names] of forms) {
      const action = form.getAttribute("lvt-on:change") ?? form.getAttribute("lvt-on:input");
      const data = formData(form);
      if (action) this.send(action, data);
      else if (this.events.change) for (const name of names) this.send(ACTION_CHANGE, { [name]: data[name] ?? "" });
    }
  }

  /**
   * Flash messages (`meta.flash`: `[{kind, message}]`): an `lvt:flash` event on the region,
   * and a `<p class="lvt-flash" data-kind="…">` each in the page's `[data-lvt-flash]` element.
   * @param {{ kind: string, message: string }[]} flash
   */
  #flash(flash) {
    const doc = this.region.ownerDocument;
    emit(this.region, "flash", flash);
    const box = doc.querySelector("[data-lvt-flash]");
    for (const { kind, message } of box ? flash : []) {
      const p = doc.createElement("p");
      p.className = "lvt-flash";
      p.dataset.kind = kind;
      p.setAttribute("role", "status");
      p.textContent = message;
      box?.append(p);
    }
  }
}

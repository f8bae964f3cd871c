// DOM events → actions, for one live region: `lvt-on:<event>` on any element (any event,
// bubbling or not), `<button name>` outside forms, forms (their submitter, `lvt-form:action`,
// `name`), `lvt-key` keyboard filters, `lvt-mod:debounce` / `lvt-mod:throttle`, and the
// `change` live validation when the server offers it; and the fields the user edited, kept
// for a reconnect.

import { ACTION_CHANGE, ACTION_SUBMIT } from "./constants.js";
import { edit, elementData, formData, isField } from "./forms.js";

/** @typedef {import("./forms.js").Data} Data */
/** @typedef {import("./forms.js").Edit} Edit */

/** The events listened to from the start; others are added as templates name them. */
const EVENTS = "click submit input change keydown keyup focus blur mouseenter mouseleave".split(" ");

/** The wait of the `change` live validation, as the existing client's. */
export const CHANGE_WAIT = 300;

/** Other names of `lvt-key` modifiers. @type {Record<string, string>} */
const MOD_ALIASES = { cmd: "meta", control: "ctrl", option: "alt" };

/**
 * Whether a keyboard event matches an `lvt-key` filter: a bare key (`Enter`, `Escape`, `j`, `+`)
 * when no Ctrl/Meta/Alt is held, or a chord `Mod+Enter`, `Shift+ArrowDown` (`Mod` is Ctrl or
 * Meta; `Cmd`, `Control`, `Option` are aliases), as the existing client reads it.
 * @param {KeyboardEvent} e
 * @param {string} filter
 */
export function keyMatches(e, filter) {
  // A `+` that ends the filter is the key itself.
  const parts = filter.split(/\+(?=.)/);
  return (
    e.key === parts.pop() &&
    (parts.length
      ? parts.every((mod) => {
          const m = mod.toLowerCase();
          // `shiftKey`, `altKey`, `ctrlKey`, `metaKey`; any other name matches nothing.
          return m == "mod" ? e.ctrlKey || e.metaKey : (/** @type {any} */ (e))[`${MOD_ALIASES[m] ?? m}Key`];
        })
      : !(e.ctrlKey || e.metaKey || e.altKey))
  );
}

/** @typedef {{ t?: ReturnType<typeof setTimeout>, last: number, fire: () => void }} Limit */

/**
 * Runs `fire` now, or later as the element's `lvt-mod:debounce` (after the events stop for
 * that long: the last one wins) or `lvt-mod:throttle` (at most once per period, the first at
 * once and the latest of the rest at the period's end) asks. `fire` reads the element when it
 * runs, so a late call sends the latest value.
 * @param {Element} el
 * @param {string} type
 * @param {() => void} fire
 * @param {number} [wait] a debounce when the element names none
 */
export function limit(el, type, fire, wait) {
  const debounce = el.getAttribute("lvt-mod:debounce");
  const throttle = el.getAttribute("lvt-mod:throttle");
  if ((debounce ?? throttle ?? wait) == null) return fire();
  // The element's own `lvt:<type>` property holds the state of its events of that type.
  /** @type {Limit} */
  const st = (/** @type {any} */ (el)[`lvt:${type}`] ??= { last: -Infinity, fire });
  if (throttle === null) {
    clearTimeout(st.t);
    st.t = setTimeout(fire, Number(debounce ?? wait) || 0);
    return;
  }
  const period = +throttle || 0;
  const now = Date.now();
  if (now - st.last >= period) {
    st.last = now;
    fire();
  } else {
    st.fire = fire;
    st.t ??= setTimeout(() => {
      st.t = undefined;
      st.last = Date.now();
      st.fire();
    }, period - (now - st.last));
  }
}

/**
 * The events of one live region. `View` extends it: its `send` sends the actions over the
 * region's socket, its `live` says whether that socket is connected.
 */
export class Events {
  /** @type {Set<string>} */
  #types = new Set();
  /** Whether the server has a `change` action (live validation). */
  change = false;
  /** Fields the user changed since their form last succeeded. @type {Map<Element, Edit>} */
  edits = new Map();

  /** @param {Element} region */
  constructor(region) {
    this.region = region;
    EVENTS.forEach(this.listen, this);
  }

  /**
   * Sends an action: its name, its data, the element that caused it (it shows the loading
   * state), and for a form the button or input that submitted it. Here nothing is sent.
   * @param {string} _action
   * @param {Data} [_data]
   * @param {Element} [_el]
   * @param {Element | null} [_submitter]
   * @returns {number} the message's ref, or 0 when it was not sent
   */
  send(_action, _data, _el, _submitter) {
    return 0;
  }

  /** Whether actions can be sent now: when not, a `method="post"` form is left to the browser (a plain POST, as without JavaScript). */
  live() {
    return true;
  }

  /**
   * Listens for `type` inside the region (capture phase, so non-bubbling events are seen; the
   * same listener is added once).
   * @param {string} type
   */
  listen(type) {
    this.#types.add(type);
    this.region.addEventListener(type, this, true);
  }

  /**
   * Listens for every event a frame's HTML names in an `lvt-on:` attribute.
   * @param {string} text
   */
  scan(text) {
    for (const [, type] of text.matchAll(/lvt-on:([\w-]+)/g)) this.listen(type.toLowerCase());
  }

  stop() {
    for (const type of this.#types) this.region.removeEventListener(type, this, true);
  }

  /** @param {Event} e */
  handleEvent(e) {
    const { type } = e;
    const target = /** @type {HTMLInputElement} */ (e.target);
    if (target?.nodeType !== 1) return;
    const field = (type == "input" || type == "change") && isField(target);
    if (field) this.edits.set(target, edit(target, this.region));
    const sub = /** @type {SubmitEvent} */ (e).submitter;
    const attr = `lvt-on:${type}`;
    // A non-bubbling event (focus, mouseenter…) concerns its target alone.
    /** @type {Element | null} */
    let el = target;
    if (e.bubbles) while (el && el !== this.region && !el.hasAttribute(attr)) el = el.parentElement;
    let action = el?.getAttribute(attr);
    if (el && action != null) {
      const key = el.getAttribute("lvt-key");
      if (key && "key" in e) {
        if (!keyMatches(/** @type {KeyboardEvent} */ (e), key)) return;
        // A chord stops the browser's own shortcut.
        if (/.\+/.test(key)) e.preventDefault();
      }
    } else if (type == "submit") {
      const form = /** @type {HTMLFormElement} */ (/** @type {Element} */ (target));
      if (form.localName != "form" || form.hasAttribute("lvt-form:no-intercept") || (!this.live() && /^post$/i.test(form.getAttribute("method") ?? ""))) return;
      // The action: `lvt-form:action`, else the submit button's (or submit input's) name,
      // else the form's `name`.
      const named = /** @type {HTMLButtonElement | null} */ (sub)?.name;
      action = form.getAttribute("lvt-form:action") || named || form.getAttribute("name") || ACTION_SUBMIT;
      el = form;
    } else if (type == "click") {
      // A named button outside any form.
      const button = /** @type {HTMLButtonElement | null} */ (target.closest("button[name]"));
      if (!button || !this.region.contains(button) || button.form || button.disabled || button.type == "reset") return;
      action = button.name;
      el = button;
    } else {
      // Live validation: the field's value as `change`, debounced while the user types
      // (typing sends on `input`; choices, select, checkbox and radio, on `change`).
      const { form, name } = target;
      const typed = !/^(checkbox|radio|select)/.test(target.type);
      // (Buttons and hidden fields fire neither event; a file's value is no data.)
      if (!this.change || !field || !name || typed != (type == "input") || form?.hasAttribute("lvt-form:no-intercept") || target.type == "file") return;
      return limit(target, type, () => {
        const value = (form ? formData(form) : elementData(target))[name];
        this.send(ACTION_CHANGE, { [name]: value ?? (target.type == "checkbox" ? [] : "") }, target);
      }, typed ? CHANGE_WAIT : 0);
    }
    if (type == "submit") e.preventDefault();
    // (`el` and `action` are set on every path that reaches here.)
    const to = /** @type {Element} */ (el);
    limit(to, type, () => this.send(/** @type {string} */ (action), to.localName == "form" ? formData(/** @type {HTMLFormElement} */ (to), sub) : elementData(to), to, sub));
  }
}

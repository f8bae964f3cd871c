// DOM events → actions, for one live region: `lvt-on:<event>` on any element (any event,
// bubbling or not), `<button name>` outside forms, forms (their submitter, `lvt-form:action`,
// `name`), `lvt-key` keyboard filters, `lvt-mod:debounce` / `lvt-mod:throttle`, and the
// `change` live validation when the server offers it.

import { ACTION_CHANGE, ACTION_SUBMIT } from "./constants.js";
import { elementData, formData, isField } from "./forms.js";

/** @typedef {import("./forms.js").Data} Data */

/**
 * Where an action goes: the action's name, its data, the element that caused it (it shows the
 * loading state), and for a form the button or input that submitted it.
 * @typedef {(action: string, data: Data, el: Element, submitter?: Element | null) => void} Act
 */

/** The events listened to from the start; others are added as templates name them. */
const EVENTS = "click submit input change keydown keyup focus blur mouseenter mouseleave".split(" ");

/** The wait of the `change` live validation, as the existing client's. */
export const CHANGE_WAIT = 300;

/** Other names of `lvt-key` modifiers. @type {Record<string, string>} */
const MOD_ALIASES = { cmd: "meta", control: "ctrl", option: "alt" };

/**
 * Whether a keyboard event matches an `lvt-key` filter: a bare key (`Enter`, `Escape`, `j`)
 * when no Ctrl/Meta/Alt is held, or a chord `Mod+Enter`, `Shift+ArrowDown` (`Mod` is Ctrl or
 * Meta; `Cmd`, `Control`, `Option` are aliases), as the existing client reads it.
 * @param {KeyboardEvent} e
 * @param {string} filter
 */
export function keyMatches(e, filter) {
  const parts = filter.length > 1 ? filter.split("+") : [filter];
  if (e.key !== parts.pop()) return false;
  if (!parts.length) return !e.ctrlKey && !e.metaKey && !e.altKey;
  return parts.every((mod) => {
    const m = mod.toLowerCase();
    // `shiftKey`, `altKey`, `ctrlKey`, `metaKey`; any other name matches nothing.
    return m == "mod" ? e.ctrlKey || e.metaKey : !!(/** @type {any} */ (e))[`${MOD_ALIASES[m] ?? m}Key`];
  });
}

/** @type {WeakMap<Element, Record<string, { t?: ReturnType<typeof setTimeout>, last?: number, fire?: () => void }>>} */
const limits = new WeakMap();

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
  if (debounce === null && throttle === null && wait === undefined) return fire();
  let all = limits.get(el);
  if (!all) limits.set(el, (all = {}));
  const st = (all[type] ??= {});
  if (throttle === null) {
    clearTimeout(st.t);
    st.t = setTimeout(fire, debounce === null ? wait : +debounce || 0);
    return;
  }
  const period = +throttle || 0;
  const now = Date.now();
  if (st.last === undefined || now - st.last >= period) {
    st.last = now;
    fire();
  } else {
    st.fire = fire;
    st.t ??= setTimeout(() => {
      st.t = undefined;
      st.last = Date.now();
      st.fire?.();
    }, period - (now - st.last));
  }
}

/** The events of one live region. */
export class Events {
  /** @type {Set<string>} */
  #types = new Set();
  /** Whether the server has a `change` action (live validation). */
  change = false;

  /**
   * @param {Element} region
   * @param {Act} act
   * @param {(el: Element) => void} [edited] told of every field the user changes
   * @param {() => boolean} [live] whether actions can be sent now: when not, a `method="post"`
   *   form is left to the browser (a plain POST, as without JavaScript)
   */
  constructor(region, act, edited = () => {}, live = () => true) {
    this.region = region;
    this.act = act;
    this.edited = edited;
    this.live = live;
    this.handle = this.handle.bind(this);
    EVENTS.forEach(this.listen, this);
  }

  /**
   * Listens for `type` inside the region (capture phase, so non-bubbling events are seen).
   * @param {string} type
   */
  listen(type) {
    if (this.#types.has(type)) return;
    this.#types.add(type);
    this.region.addEventListener(type, this.handle, true);
  }

  /**
   * Listens for every event a frame's HTML names in an `lvt-on:` attribute.
   * @param {string} text
   */
  scan(text) {
    for (const [, type] of text.matchAll(/lvt-on:([\w-]+)/g)) this.listen(type.toLowerCase());
  }

  stop() {
    for (const type of this.#types) this.region.removeEventListener(type, this.handle, true);
    this.#types.clear();
  }

  /** @param {Event} e */
  handle(e) {
    const { type } = e;
    const target = /** @type {HTMLInputElement} */ (e.target);
    if (target?.nodeType !== 1) return;
    const typing = type == "input" || type == "change";
    if (typing && isField(target)) this.edited(target);
    const sub = /** @type {SubmitEvent} */ (e).submitter;
    const attr = `lvt-on:${type}`;
    // A non-bubbling event (focus, mouseenter…) concerns its target alone.
    /** @type {Element | null} */
    let el = target;
    if (e.bubbles) while (el && el !== this.region && !el.hasAttribute(attr)) el = el.parentElement;
    const name = el?.getAttribute(attr);
    if (el && name != null) {
      const key = el.getAttribute("lvt-key");
      if (key && "key" in e) {
        if (!keyMatches(/** @type {KeyboardEvent} */ (e), key)) return;
        if (key.length > 1 && key.includes("+")) e.preventDefault();
      }
      if (type == "submit") e.preventDefault();
      limit(el, type, () =>
        el.localName == "form" ? this.#form(/** @type {HTMLFormElement} */ (el), name, sub) : this.act(name, elementData(el), el),
      );
    } else if (type == "submit") {
      const form = /** @type {HTMLFormElement} */ (/** @type {Element} */ (target));
      if (form.localName != "form" || form.hasAttribute("lvt-form:no-intercept") || (!this.live() && form.method == "post")) return;
      e.preventDefault();
      // The action: `lvt-form:action`, else the submit button's name, else the form's `name`.
      const named = sub?.localName == "button" && /** @type {HTMLButtonElement} */ (sub).name;
      this.#form(form, form.getAttribute("lvt-form:action") || named || form.getAttribute("name") || ACTION_SUBMIT, sub);
    } else if (type == "click") {
      const button = /** @type {HTMLButtonElement | null} */ (target.closest("button[name]"));
      if (button && this.region.contains(button) && !button.form && !button.disabled && button.type != "reset") {
        this.act(button.name, elementData(button), button);
      }
    } else if (this.change && typing && isField(target)) this.#validate(target, type);
  }

  /**
   * @param {HTMLFormElement} form
   * @param {string} action
   * @param {Element | null | undefined} sub the submit button or input
   */
  #form(form, action, sub) {
    this.act(action, formData(form, sub), form, sub);
  }

  /**
   * Live validation: the field's value as `change`, debounced while the user types.
   * @param {HTMLInputElement} field
   * @param {string} type
   */
  #validate(field, type) {
    const { form, name } = field;
    if (!name || form?.hasAttribute("lvt-form:no-intercept") || /^(submit|button|hidden|file)$/.test(field.type)) return;
    // Typing sends on `input`; choices (select, checkbox, radio) on `change`.
    const typed = field.localName == "textarea" || (field.localName == "input" && !/^(checkbox|radio)$/.test(field.type));
    if (typed != (type == "input")) return;
    limit(field, "lvt-change", () => {
      const value = (form ? formData(form) : elementData(field))[name];
      this.act(ACTION_CHANGE, { [name]: value ?? (field.type == "checkbox" ? [] : "") }, field);
    }, typed ? CHANGE_WAIT : 0);
  }
}

// What an action sends: a form's fields, an element's value and data-* attributes; and the
// values of fields the user is editing, kept across a reconnect.

import { BUTTON_VALUE } from "./constants.js";

/** @typedef {Record<string, string | boolean | (string | boolean)[]>} Data */

/**
 * Adds a value under `name`: the second value of a name makes it an array.
 * @param {Data} data
 * @param {string} name
 * @param {string} value
 */
export function put(data, name, value) {
  const had = data[name];
  data[name] = had === undefined ? value : [had, value].flat();
}

/**
 * A form's fields as the action's data, by the rule the server reads a plain POST with
 * (`testdata/actions/forms.json`): every value a name has (checkbox groups, `<select multiple>`)
 * becomes an array when there are several; values stay strings (`"007"` is not `7`); files are
 * left out. The submit button's name is not a field: a named one's non-empty `value` arrives as
 * `value` (the browser posts only named buttons), and its `data-*` attributes are added.
 * @param {HTMLFormElement} form
 * @param {Element | null} [submitter]
 * @returns {Data}
 */
export function formData(form, submitter) {
  /** @type {Data} */
  const data = {};
  const Data = /** @type {typeof FormData} */ (/** @type {any} */ (form.ownerDocument.defaultView).FormData);
  for (const [name, value] of new Data(form)) if (typeof value == "string") put(data, name, value);
  if (!submitter) return data;
  const { name, value } = /** @type {HTMLButtonElement} */ (submitter);
  if (name && value) data.value = value;
  return dataAttributes(submitter, data);
}

/**
 * An element's data: its `value` — under its `name` for a named field, else `value`; a
 * checkbox gives `checked` — and its `data-*` attributes (`data-user-id` → `user-id`),
 * but not `data-key` nor `data-lvt-*`.
 * @param {Element} el
 * @param {Data} [data]
 * @returns {Data}
 */
export function elementData(el, data = {}) {
  const field = /** @type {HTMLInputElement} */ (el);
  const named = isField(el);
  const box = field.type == "checkbox";
  // (A form has no `value` of its own: a field named so is an element.)
  if (typeof field.value == "string" && (field.value || box || named)) {
    data[(named && field.name) || BUTTON_VALUE] = box ? field.checked : field.value;
  }
  return dataAttributes(el, data);
}

/**
 * Adds an element's `data-*` attributes (`data-user-id` → `user-id`), but not `data-key` nor
 * `data-lvt-*`.
 * @param {Element} el
 * @param {Data} data
 * @returns {Data}
 */
function dataAttributes(el, data) {
  for (const { name, value } of el.attributes) if (/^data-(?!key$|lvt-)/.test(name)) data[name.slice(5)] = value;
  return data;
}

/** @param {Element} el */
export const isField = (el) => /^(input|select|textarea)$/.test(el.localName);

/**
 * A field the user changed, to put back after a reconnect: where it sits (`at`: its form's
 * `id`, `name` or position, its own `name`, and for a checkbox or radio its own value, which
 * tells it from the others of its name) and its value (`checked` for a checkbox or radio, the
 * selected values of a select).
 * @typedef {{ at: string, value: string | boolean | string[] }} Edit
 */

/**
 * A field's edit, as `restore` writes it back.
 * @param {Element} el an input, select or textarea
 * @param {Element} region
 * @returns {Edit}
 */
export function edit(el, region) {
  const field = /** @type {HTMLInputElement & HTMLSelectElement} */ (el);
  const { form, type } = field;
  const checkable = /^(checkbox|radio)$/.test(type);
  // `getAttribute`: a form's `id` and `name` properties may be fields of those names.
  const key = form ? form.getAttribute("id") || form.getAttribute("name") || [...region.querySelectorAll("form")].indexOf(form) : "";
  return {
    at: `${key}\n${field.name}\n${checkable ? field.value : ""}`,
    value: checkable ? field.checked : field.selectedOptions ? [...field.selectedOptions].map((o) => o.value) : field.value,
  };
}

/**
 * Writes the edits back into the region's fields (found again by where they sit), and keys
 * them by the fields that now hold them.
 * @param {Element} region
 * @param {Map<Element, Edit>} edits
 */
export function restore(region, edits) {
  const at = new Map([...edits.values()].map((e) => [e.at, e]));
  edits.clear();
  for (const el of region.querySelectorAll("[name]")) {
    const found = isField(el) && at.get(edit(el, region).at);
    if (!found) continue;
    edits.set(el, found);
    const field = /** @type {HTMLInputElement} */ (el);
    const { value } = found;
    if (Array.isArray(value)) {
      for (const o of /** @type {HTMLSelectElement} */ (el).options) o.selected = value.includes(o.value);
    } else if (typeof value == "boolean") field.checked = value;
    else if (field.value !== value) field.value = value;
  }
}

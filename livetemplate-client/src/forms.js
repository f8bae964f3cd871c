// What an action sends: a form's fields, an element's value and data-* attributes; and the
// values of fields the user is editing, kept across a reconnect.

/** @typedef {Record<string, string | boolean | (string | boolean)[]>} Data */

/**
 * A form's fields as the action's data: every value a name has (checkbox groups,
 * `<select multiple>`) becomes an array when there are several; values stay strings (`"007"`
 * is not `7`); files are left out. The submitter's own name/value is not a field: it names the
 * action, and its `value` and `data-*` attributes are added as for a button.
 * @param {HTMLFormElement} form
 * @param {HTMLElement | null} [submitter]
 * @returns {Data}
 */
export function formData(form, submitter) {
  /** @type {Data} */
  const data = {};
  const Data = /** @type {typeof FormData} */ (/** @type {any} */ (form.ownerDocument.defaultView).FormData);
  for (const [name, value] of new Data(form)) {
    if (typeof value !== "string") continue;
    const had = data[name];
    data[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [/** @type {string} */ (had), value];
  }
  if (submitter) elementData(submitter, data);
  return data;
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
  if (typeof field.value === "string" && el.localName !== "form") {
    const box = field.type === "checkbox";
    if (field.value !== "" || box || isField(el)) {
      data[(isField(el) && field.name) || "value"] = box ? field.checked : field.value;
    }
  }
  for (const { name, value } of el.attributes) {
    if (name.startsWith("data-") && name !== "data-key" && !name.startsWith("data-lvt-")) {
      data[name.slice(5)] = value;
    }
  }
  return data;
}

/** @param {Element} el */
export const isField = (el) => /^(input|select|textarea)$/.test(el.localName);

/**
 * The values of the fields the user changed, by form and name, to put back after a reconnect.
 * `pick` is a checkbox's or radio's own value, which tells it from the others of its name.
 * @typedef {{ form: string, name: string, value: string | boolean | string[], pick?: string }} Edit
 */

/**
 * Where a field sits, to find it again in a re-rendered region: its form's `id`, `name` or
 * position, and its own `name`.
 * @param {Element} el
 * @param {Element} region
 */
export function formKey(el, region) {
  /** @type {Element | null} */
  const form = el.localName === "form" ? el : /** @type {HTMLInputElement} */ (el).form;
  if (!form) return "";
  return form.id || form.getAttribute("name") || String([...region.querySelectorAll("form")].indexOf(/** @type {HTMLFormElement} */ (form)));
}

/**
 * A field's edit, as `restore` writes it back.
 * @param {Element} el an input, select or textarea
 * @param {Element} region
 * @returns {Edit}
 */
export function edit(el, region) {
  const field = /** @type {HTMLInputElement} */ (el);
  const select = /** @type {HTMLSelectElement} */ (el);
  const form = formKey(el, region);
  if (select.multiple && select.selectedOptions) {
    return { form, name: field.name, value: [...select.selectedOptions].map((o) => o.value) };
  }
  if (field.type === "checkbox" || field.type === "radio") {
    return { form, name: field.name, value: field.checked, pick: field.value };
  }
  return { form, name: field.name, value: field.value };
}

/**
 * Writes the edits back into the region's fields (found again by form and name).
 * @param {Element} region
 * @param {Map<Element, Edit>} edits the fields edited, with where they were
 * @returns {Map<Element, Edit>} the edits, by the fields that now hold them
 */
export function restore(region, edits) {
  /** @type {Map<Element, Edit>} */
  const now = new Map();
  for (const edit of edits.values()) {
    for (const el of region.querySelectorAll("[name]")) {
      const field = /** @type {HTMLInputElement} */ (el);
      if (!isField(el) || field.name !== edit.name || formKey(el, region) !== edit.form) continue;
      const { value } = edit;
      if (edit.pick === undefined || field.value === edit.pick) now.set(el, edit);
      if (Array.isArray(value)) {
        for (const o of /** @type {HTMLSelectElement} */ (el).options) o.selected = value.includes(o.value);
      } else if (typeof value === "boolean") {
        if (field.value === edit.pick) field.checked = value;
      } else if (field.value !== value) {
        field.value = value;
      }
    }
  }
  return now;
}

// What an action sends: a form's fields, an element's value and data-* attributes; and the
// values of fields the user is editing, kept across a reconnect.

/** @typedef {Record<string, string | boolean | (string | boolean)[]>} Data */

/**
 * Adds a value under `name`: the second value of a name makes it an array.
 * @param {Data} data
 * @param {string} name
 * @param {string} value
 */
export function put(data, name, value) {
  const had = data[name];
  data[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
}

/**
 * A form's fields as the action's data: every value a name has (checkbox groups,
 * `<select multiple>`) becomes an array when there are several; values stay strings (`"007"`
 * is not `7`); files are left out. The submitter's own name/value is not a field: it names the
 * action, and its `value` and `data-*` attributes are added as for a button.
 * @param {HTMLFormElement} form
 * @param {Element | null} [submitter]
 * @returns {Data}
 */
export function formData(form, submitter) {
  /** @type {Data} */
  const data = {};
  const Data = /** @type {typeof FormData} */ (/** @type {any} */ (form.ownerDocument.defaultView).FormData);
  for (const [name, value] of new Data(form)) if (typeof value == "string") put(data, name, value);
  return submitter ? elementData(submitter, data) : data;
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
  if (typeof field.value == "string" && el.localName != "form" && (field.value || box || named)) {
    data[(named && field.name) || "value"] = box ? field.checked : field.value;
  }
  for (const { name, value } of el.attributes) if (/^data-(?!key$|lvt-)/.test(name)) data[name.slice(5)] = value;
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
  const form = el.localName == "form" ? /** @type {HTMLFormElement} */ (el) : /** @type {HTMLInputElement} */ (el).form;
  return form ? form.id || form.getAttribute("name") || "" + [...region.querySelectorAll("form")].indexOf(form) : "";
}

/**
 * The fields of `region` named `name` in the form `form` (a `formKey`).
 * @param {Element} region
 * @param {string} form
 * @param {string} name
 * @returns {HTMLInputElement[]}
 */
export const fieldsAt = (region, form, name) =>
  /** @type {HTMLInputElement[]} */ ([...region.querySelectorAll("[name]")]).filter(
    (el) => isField(el) && el.name === name && formKey(el, region) === form,
  );

/**
 * A field's edit, as `restore` writes it back.
 * @param {Element} el an input, select or textarea
 * @param {Element} region
 * @returns {Edit}
 */
export function edit(el, region) {
  const field = /** @type {HTMLInputElement & HTMLSelectElement} */ (el);
  /** @type {Edit} */
  const edit = { form: formKey(el, region), name: field.name, value: field.value };
  if (field.multiple && field.selectedOptions) edit.value = [...field.selectedOptions].map((o) => o.value);
  else if (/^(checkbox|radio)$/.test(field.type)) {
    edit.value = field.checked;
    edit.pick = field.value;
  }
  return edit;
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
    const { value, pick } = edit;
    for (const field of fieldsAt(region, edit.form, edit.name)) {
      if (pick === undefined || field.value === pick) now.set(field, edit);
      if (Array.isArray(value)) {
        for (const o of /** @type {HTMLSelectElement} */ (/** @type {Element} */ (field)).options) o.selected = value.includes(o.value);
      } else if (typeof value == "boolean") {
        if (field.value === pick) field.checked = value;
      } else if (field.value !== value) field.value = value;
    }
  }
  return now;
}

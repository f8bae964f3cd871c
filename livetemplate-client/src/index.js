// The bundle's entry point (livetemplate/client/livetemplate.min.js, global `LiveTemplate`):
// starts a View for every live region (`[data-lvt-id]`) once the document is parsed, and
// exports the API.

import { REGION_ATTR } from "./constants.js";
import { View } from "./view.js";

export { Rendered } from "./rendered.js";
export { ApplyError } from "./errors.js";
export { itemKey } from "./tree.js";
export { View, LOADING } from "./view.js";
export { Socket, readFrame } from "./socket.js";
export { formData, elementData } from "./forms.js";

/** The running views, by region. @type {Map<Element, View>} */
export const views = new Map();

/**
 * Starts a view for every live region of `doc` that has none yet.
 * @param {Document} [doc]
 * @returns {View[]} the views started
 */
export function start(doc = document) {
  return [...doc.querySelectorAll(`[${REGION_ATTR}]`)]
    .filter((region) => !views.has(region))
    .map((region) => {
      const view = new View(region);
      views.set(region, view);
      view.start();
      return view;
    });
}

/**
 * Sends an action from script: `LiveTemplate.send("add", {title: "Milk"})` (the first region,
 * or the region holding `el`).
 * @param {string} action
 * @param {import("./forms.js").Data} [data]
 * @param {Element} [el]
 */
export function send(action, data, el) {
  for (const [region, view] of views) if (!el || region.contains(el)) return view.send(action, data, el);
  return 0;
}

/**
 * Changes the address (`history.pushState`) and tells every region's server the new query.
 * @param {string} href
 */
export function navigate(href) {
  history.pushState(null, "", href);
  for (const view of views.values()) view.navigate();
}

if (typeof document !== "undefined" && !document.currentScript?.hasAttribute("data-lvt-manual")) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => start());
  else start();
}

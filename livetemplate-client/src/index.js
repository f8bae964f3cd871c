// The bundle's entry point (dist/livetemplate.min.js, global `LiveTemplate`): for now the
// tree cache; the socket and the DOM patcher come with the server.

export { Rendered } from "./rendered.js";
export { ApplyError } from "./errors.js";
export { itemKey } from "./tree.js";

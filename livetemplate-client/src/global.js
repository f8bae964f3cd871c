// The bundle's entry (livetemplate/client/livetemplate.min.js, a classic <script>): the client
// starts itself (see index.js), and the page's scripts get the global `LiveTemplate`.

import { ApplyError, Rendered, navigate, send, start, views } from "./index.js";

/** @type {any} */ (globalThis).LiveTemplate = { start, send, navigate, views, Rendered, ApplyError };

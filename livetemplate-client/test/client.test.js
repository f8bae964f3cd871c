// The client's logic under node (jsdom, a fake WebSocket and fetch): form and element data,
// which events name which actions, keyboard filters, debounce and throttle, the socket's
// heartbeat, reconnects and HTTP path, and a view's refs, loading states and reconnect.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, mock, test } from "node:test";
import { JSDOM } from "jsdom";

import { Events, keyMatches, limit } from "../src/events.js";
import { elementData, formData } from "../src/forms.js";
import { Socket, backoff, liveURL, readFrame } from "../src/socket.js";
import { LOADING, View } from "../src/view.js";

/** @param {string} html */
function page(html) {
  const dom = new JSDOM(`<!DOCTYPE html><body>${html}</body>`, { url: "http://example.test/todos?x=1" });
  return { dom, window: dom.window, document: dom.window.document };
}

/** @param {any} doc @param {string} sel */
const $ = (doc, sel) => doc.querySelector(sel);

/** Events that record the actions they send; `live` as given. */
class Recorder extends Events {
  /** @type {any[]} */
  sent = [];
  connected = true;
  /** @param {string} action @param {any} data @param {any} el @param {any} submitter */
  send(action, data, el, submitter) {
    return this.sent.push({ action, data, el, submitter });
  }
  live() {
    return this.connected;
  }
}

/** An Events on `html`'s region (`#r`), recording the actions it sends. */
function events(html) {
  const p = page(`<div id="r">${html}</div>`);
  const ev = new Recorder($(p.document, "#r"));
  return { ...p, sent: ev.sent, ev };
}

/**
 * @param {any} window
 * @param {any} form
 * @param {any} [submitter]
 */
function submit(window, form, submitter = null) {
  const e = new window.Event("submit", { bubbles: true, cancelable: true });
  Object.defineProperty(e, "submitter", { value: submitter });
  form.dispatchEvent(e);
  return e;
}

describe("form and element data", () => {
  test("repeated names are arrays, strings stay strings, files and unchecked boxes are left out", () => {
    const { document } = page(`<form>
      <input name="zip" value="007"><input name="n" value="1.50">
      <input type="checkbox" name="tag" value="a" checked><input type="checkbox" name="tag" value="b">
      <input type="checkbox" name="tag" value="c" checked><input type="checkbox" name="one" value="yes">
      <select name="size" multiple><option selected>s</option><option>m</option><option selected>l</option></select>
      <input type="file" name="upload"><textarea name="note">hi</textarea>
      <button name="save" value="v1" data-user-id="9" data-key="k">Save</button></form>`);
    const form = $(document, "form");
    assert.deepEqual(formData(form, $(document, "button")), {
      zip: "007", n: "1.50", tag: ["a", "c"], size: ["s", "l"], note: "hi", value: "v1", "user-id": "9",
    });
  });

  test("an element sends its value (under its name when a field) and its data-* but data-key", () => {
    const { document } = page(`<button value="3" data-id="3" data-key="k" data-lvt-x="1" data-user-id="u">x</button>
      <input name="q" value="007"><input type="checkbox" data-id="5" checked><div data-a="1"></div>`);
    assert.deepEqual(elementData($(document, "button")), { value: "3", id: "3", "user-id": "u" });
    assert.deepEqual(elementData($(document, "input[name=q]")), { q: "007" });
    assert.deepEqual(elementData($(document, "input[type=checkbox]")), { value: true, id: "5" });
    assert.deepEqual(elementData($(document, "div")), { a: "1" });
  });
});

describe("one rule for action data (testdata/actions/forms.json, shared with the server)", () => {
  const html = readFileSync(new URL("../../tests/templates/transports/forms.html", import.meta.url), "utf8");
  /** @type {{ cases: { what: string, form: number, submitter: number, post: [string, string][], action: string, data: any }[] }} */
  const golden = JSON.parse(readFileSync(new URL("../../testdata/actions/forms.json", import.meta.url), "utf8"));
  for (const { what, form: at, submitter: index, post, action, data } of golden.cases) {
    test(what, () => {
      const { window, document, sent } = events(html);
      const form = document.querySelectorAll("form")[at];
      const submitter = form.querySelectorAll("button, input[type=submit]")[index];
      // What a browser posts without JavaScript (the golden's `post`) ...
      assert.deepEqual([...new window.FormData(form, submitter)], post);
      // ... and what the client sends for the same click.
      submit(window, form, submitter);
      assert.deepEqual(sent.map((s) => [s.action, s.data]), [[action, data]]);
    });
  }
});

describe("events → actions", () => {
  test("a form's action: lvt-form:action, then the submit button's name, then its name, then submit", () => {
    const { window, document, sent } = events(`
      <form id="a" name="save" lvt-form:action="store"><button name="b">B</button></form>
      <form id="b" name="save"><button name="publish">P</button><input type="submit" name="draft"><button>x</button></form>
      <form id="c"><input name="t" value="1"></form>`);
    const e = submit(window, $(document, "#a"), $(document, "#a button"));
    assert.ok(e.defaultPrevented);
    submit(window, $(document, "#b"), $(document, "#b button[name=publish]"));
    submit(window, $(document, "#b"), $(document, "#b input[name=draft]"));
    submit(window, $(document, "#b"), $(document, "#b button:not([name])"));
    submit(window, $(document, "#c"));
    assert.deepEqual(sent.map((s) => [s.action, s.submitter?.name]), [
      ["store", "b"], ["publish", "publish"], ["draft", "draft"], ["save", ""], ["submit", undefined],
    ]);
    assert.deepEqual(sent[4].data, { t: "1" });
    assert.equal(sent[4].el, $(document, "#c"));
  });

  test("lvt-form:no-intercept leaves the form to the browser", () => {
    const { window, document, sent } = events(`<form lvt-form:no-intercept><input name="t"></form>`);
    assert.ok(!submit(window, $(document, "form")).defaultPrevented);
    assert.equal(sent.length, 0);
  });

  test("while not connected a method=post form is left to the browser (a plain POST)", () => {
    const { window, document, sent, ev } = events(`<form method="post" id="p"><input name="t"></form><form id="g"></form>`);
    ev.connected = false;
    assert.ok(!submit(window, $(document, "#p")).defaultPrevented);
    assert.ok(submit(window, $(document, "#g")).defaultPrevented);
    assert.deepEqual(sent.map((s) => s.action), ["submit"]);
  });

  test("a named button outside any form is its action; disabled it is not; inside a form it submits", () => {
    const { window, document, sent } = events(`
      <button name="remove" value="7" data-list-id="2"><b>x</b></button>
      <button name="off" disabled>x</button><form><button name="inner">x</button></form>`);
    $(document, "b").click();
    $(document, "[name=off]").click();
    $(document, "[name=inner]").dispatchEvent(new window.MouseEvent("click", { bubbles: true }));
    assert.deepEqual(sent.map((s) => [s.action, s.data, s.submitter?.name]), [
      ["remove", { value: "7", "list-id": "2" }, undefined], ["inner", {}, "inner"],
    ]);
  });

  test("lvt-on:<event> on an ancestor of the target; non-bubbling events only on their own element", () => {
    const { window, document, sent, ev } = events(`
      <li lvt-on:click="select" data-id="4"><span id="in">x</span></li>
      <div id="h" lvt-on:mouseenter="hover"><span id="child">c</span></div>
      <input id="f" lvt-on:focus="focused" name="q" value="v"><p id="d" lvt-on:dblclick="twice"></p>`);
    $(document, "#in").click();
    $(document, "#child").dispatchEvent(new window.MouseEvent("mouseenter"));
    $(document, "#h").dispatchEvent(new window.MouseEvent("mouseenter"));
    $(document, "#f").dispatchEvent(new window.FocusEvent("focus"));
    $(document, "#d").dispatchEvent(new window.MouseEvent("dblclick", { bubbles: true }));
    ev.scan('{"s":["<p lvt-on:dblclick=\\"twice\\">"]}');
    $(document, "#d").dispatchEvent(new window.MouseEvent("dblclick", { bubbles: true }));
    assert.deepEqual(sent.map((s) => [s.action, s.data]), [
      ["select", { id: "4" }], ["hover", {}], ["focused", { q: "v" }], ["twice", {}],
    ]);
  });

  test("lvt-key filters keys; a chord stops the browser's default", () => {
    const { window, document, sent } = events(`<input id="k" lvt-on:keydown="go" lvt-key="Enter">
      <input id="m" lvt-on:keydown="save" lvt-key="Mod+s">`);
    const key = (/** @type {string} */ sel, /** @type {any} */ init) => {
      const e = new window.KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init });
      $(document, sel).dispatchEvent(e);
      return e;
    };
    key("#k", { key: "a" });
    key("#k", { key: "Enter", ctrlKey: true });
    key("#k", { key: "Enter" });
    key("#m", { key: "s" });
    assert.ok(key("#m", { key: "s", metaKey: true }).defaultPrevented);
    assert.deepEqual(sent.map((s) => s.action), ["go", "save"]);
    assert.ok(keyMatches(/** @type {any} */ ({ key: "?", shiftKey: true }), "?"));
    assert.ok(keyMatches(/** @type {any} */ ({ key: "+" }), "+"));
    assert.ok(!keyMatches(/** @type {any} */ ({ key: "ArrowDown" }), "Shift+ArrowDown"));
  });

  describe("rate limits", () => {
    beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "Date"] }));
    afterEach(() => mock.timers.reset());

    test("debounce sends the latest value once the events stop", () => {
      const { window, document, sent } = events(`<input name="q" lvt-on:input="search" lvt-mod:debounce="100">`);
      const input = $(document, "input");
      for (const v of ["a", "ab", "abc"]) {
        input.value = v;
        input.dispatchEvent(new window.Event("input", { bubbles: true }));
        mock.timers.tick(50);
      }
      assert.equal(sent.length, 0);
      mock.timers.tick(100);
      assert.deepEqual(sent.map((s) => s.data), [{ q: "abc" }]);
    });

    test("throttle sends the first at once and the latest at the period's end", () => {
      /** @type {number[]} */
      const fired = [];
      const { document } = page(`<div lvt-mod:throttle="100"></div>`);
      const el = $(document, "div");
      for (let i = 0; i < 5; i++) {
        limit(el, "scroll", () => fired.push(i));
        mock.timers.tick(30);
      }
      assert.deepEqual(fired, [0, 3]);
      mock.timers.tick(100);
      assert.deepEqual(fired, [0, 3, 4]);
    });

    test("change is sent only with the capability, debounced, with the field's value", () => {
      const { window, document, sent, ev } = events(`<form><input name="email" value="a"><input type="checkbox" name="tag" value="x" checked><input type="checkbox" name="tag" value="y" checked></form>`);
      const input = $(document, "input[name=email]");
      input.dispatchEvent(new window.Event("input", { bubbles: true }));
      mock.timers.tick(1000);
      assert.equal(sent.length, 0);
      ev.change = true;
      input.value = "a@b";
      input.dispatchEvent(new window.Event("input", { bubbles: true }));
      $(document, "input[value=x]").dispatchEvent(new window.Event("change", { bubbles: true }));
      mock.timers.tick(300);
      assert.deepEqual(sent.map((s) => [s.action, s.data]), [["change", { tag: ["x", "y"] }], ["change", { email: "a@b" }]]);
    });
  });
});

// ---- the socket ------------------------------------------------------------------------------

class FakeSocket {
  /** @type {FakeSocket[]} */
  static all = [];
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    /** @type {string[]} */
    this.sent = [];
    this.closed = false;
    /** @type {any} */ this.onopen = null;
    /** @type {any} */ this.onmessage = null;
    /** @type {any} */ this.onclose = null;
    FakeSocket.all.push(this);
  }
  /** @param {string} text */
  send(text) {
    this.sent.push(text);
  }
  close() {
    this.closed = true;
    this.onclose?.();
  }
  /** @param {unknown} value */
  receive(value) {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
}

const FIRST = { tree: { s: ["<p>", "</p>"], f: 0, 0: "one" }, meta: { success: true, errors: {} } };
const TIMES = { ping: 1000, pong: 200, base: 100, max: 800 };

function socket(/** @type {any} */ env = {}) {
  FakeSocket.all = [];
  /** @type {any[]} */
  const log = [];
  const s = new Socket({
    href: () => "https://example.test/p?a=1#top",
    frame: (f) => log.push(["frame", f]),
    opened: (http) => log.push(["open", http]),
    closed: () => log.push(["close"]),
  }, TIMES, { WebSocket: FakeSocket, random: () => 0, ...env });
  return { s, log };
}

describe("socket", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  test("the page's own URL with _lvt=1, wss on https", () => {
    assert.equal(liveURL("https://h.test/a/b?q=1#x", true), "wss://h.test/a/b?q=1&_lvt=1");
    assert.equal(liveURL("http://h.test/", false), "http://h.test/?_lvt=1");
  });

  test("backoff doubles up to the cap, with jitter in [½, 1)", () => {
    assert.deepEqual([0, 1, 2, 3, 9].map((n) => backoff(n, TIMES, 0)), [50, 100, 200, 400, 400]);
    assert.equal(backoff(2, TIMES, 0.999), 400 * (0.5 + 0.999 / 2));
  });

  test("frames are read once: updates, errors, redirects, pongs", () => {
    assert.deepEqual(readFrame('{"tree":{"0":"a"},"ref":3}'), { kind: "update", tree: { 0: "a" }, meta: null, ref: 3 });
    assert.deepEqual(readFrame('[4,{"0":"b"}]'), { kind: "update", tree: { 0: "b" }, meta: null, ref: 4 });
    assert.equal(readFrame('{"pong":true}')?.kind, "pong");
    assert.equal(readFrame('{"type":"redirect","to":"/x"}')?.to, "/x");
    assert.equal(readFrame("nope"), null);
  });

  test("opens, delivers frames, pings, and reconnects when no pong comes", () => {
    const { s, log } = socket();
    s.start();
    const ws = FakeSocket.all[0];
    assert.equal(ws.url, "wss://example.test/p?a=1&_lvt=1");
    ws.onopen();
    assert.equal(s.send({ action: "x" }), false, "nothing is sent before the first tree");
    ws.receive(FIRST);
    assert.deepEqual(log.map((l) => l[0]), ["open", "frame"]);
    assert.ok(s.send({ action: "x" }));
    mock.timers.tick(1000);
    assert.deepEqual(ws.sent.map((t) => JSON.parse(t).action), ["x", "__ping__"]);
    ws.receive({ pong: true });
    mock.timers.tick(300);
    assert.ok(!ws.closed, "a pong keeps the socket");
    mock.timers.tick(700);
    mock.timers.tick(200);
    assert.ok(ws.closed, "no pong: the socket is dropped");
    assert.deepEqual(log.at(-1), ["close"]);
    mock.timers.tick(50);
    assert.equal(FakeSocket.all.length, 2, "and opened again");
  });

  test("a refused upgrade falls back to HTTP at once, and the socket takes over later", async () => {
    /** @type {any[]} */
    const requests = [];
    const fetch = async (/** @type {string} */ url, /** @type {any} */ init) => {
      requests.push([init.method, url, init.body]);
      const body = init.method === "GET" ? FIRST : { tree: { 0: "two" }, meta: { success: true, errors: {} }, ref: 1 };
      return { ok: true, status: 200, text: async () => JSON.stringify(body) };
    };
    const { s, log } = socket({ fetch });
    s.start();
    FakeSocket.all[0].close();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log.map((l) => l.slice(0, 1)[0] === "open" ? l : l[0]), [["open", true], "frame"]);
    assert.ok(s.http && s.up);
    s.send({ action: "add", data: {}, ref: 1 });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(requests.map((r) => r[0]), ["GET", "POST"]);
    assert.equal(requests[1][1], "https://example.test/p?a=1&_lvt=1");
    assert.equal(log.at(-1)[1].ref, 1);
    mock.timers.tick(50);
    const ws = FakeSocket.all[1];
    assert.ok(ws, "the socket is tried again");
    ws.onopen();
    ws.receive(FIRST);
    assert.ok(!s.http, "and takes over");
    assert.deepEqual(log.at(-2), ["open", false]);
  });
});

// ---- a view ----------------------------------------------------------------------------------

/** A view on a page, its socket answered by hand. */
function view(/** @type {string} */ html) {
  const p = page(`<div data-lvt-id="r" id="r">${html}</div>`);
  FakeSocket.all = [];
  const region = $(p.document, "[data-lvt-id]");
  const v = new View(region, { env: { WebSocket: FakeSocket }, times: TIMES, href: () => "http://example.test/" });
  /** @type {string[]} */
  const seen = [];
  for (const t of ["connected", "disconnected", "updated", "error", "pending", "done", "success"]) {
    p.document.addEventListener(`lvt:${t}`, (/** @type {any} */ e) => seen.push(`${t}:${e.target.id || e.target.localName}`));
  }
  v.start();
  const ws = () => FakeSocket.all.at(-1);
  return { ...p, v, region, ws, seen };
}

const FORM = {
  s: ['<form id="f" lvt-form:action="add"><input name="title" id="t"><button id="b">Add</button></form><p id="n">', "</p>"],
  f: 0,
  0: "0",
};

describe("view", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout"] }));
  afterEach(() => mock.timers.reset());

  test("an element is loading until the frame with its ref; a broadcast meanwhile does not end it", () => {
    const { window, document, ws, seen } = view("");
    ws().onopen();
    ws().receive({ tree: FORM, meta: { success: true, errors: {} } });
    $(document, "#t").value = "milk";
    submit(window, $(document, "#f"), $(document, "#b"));
    const form = $(document, "#f");
    const sent = JSON.parse(ws().sent[0]);
    assert.deepEqual(sent, { action: "add", data: { title: "milk" }, ref: 1 });
    assert.ok(form.classList.contains(LOADING) && form.getAttribute("aria-busy") === "true");
    ws().receive({ tree: { 0: "5" } });
    assert.ok(form.classList.contains(LOADING), "a broadcast is not the answer");
    assert.equal($(document, "#t").value, "milk");
    ws().receive({ tree: { 0: "6" }, ref: 1 });
    assert.ok(!form.classList.contains(LOADING) && !form.hasAttribute("aria-busy"));
    assert.equal($(document, "#t").value, "", "reset on success");
    assert.deepEqual(seen, ["connected:r", "updated:r", "pending:f", "updated:r", "done:f", "success:f", "updated:r"]);
  });

  test("a failed action keeps the form's values and reports its errors", () => {
    const { window, document, ws } = view("");
    ws().onopen();
    ws().receive({ tree: FORM, meta: { success: true, errors: {} } });
    /** @type {any} */
    let detail = null;
    $(document, "#f").addEventListener("lvt:error", (/** @type {any} */ e) => (detail = e.detail));
    $(document, "#t").value = " ";
    submit(window, $(document, "#f"));
    ws().receive({ tree: {}, meta: { success: false, errors: { title: "required" } }, ref: 1 });
    assert.deepEqual(detail.errors, { title: "required" });
    assert.equal($(document, "#t").value, " ");
  });

  test("a form with a field named reset is still reset on success", () => {
    const { window, document, ws } = view("");
    ws().onopen();
    ws().receive({ tree: FORM, meta: { success: true, errors: {} } });
    const form = $(document, "#f");
    // In browsers `form.reset` is the form's field named "reset", when it has one.
    Object.defineProperty(form, "reset", { value: $(document, "#b") });
    $(document, "#t").value = "milk";
    submit(window, form);
    ws().receive({ tree: {}, meta: { success: true, errors: {} }, ref: 1 });
    assert.equal($(document, "#t").value, "");
  });

  test("an error frame reaches lvt:error and ends the oldest action in flight", () => {
    const { document, region, ws } = view("");
    ws().onopen();
    ws().receive({ tree: { s: ['<button name="go" id="g">x</button>'], f: 0 } });
    /** @type {any} */
    let detail = null;
    region.addEventListener("lvt:error", (/** @type {any} */ e) => e.target === region && (detail = e.detail));
    $(document, "#g").click();
    assert.ok($(document, "#g").classList.contains(LOADING));
    ws().receive({ type: "error", code: "rate_limited", message: "slow down" });
    assert.deepEqual(detail, { code: "rate_limited", message: "slow down" });
    assert.ok(!$(document, "#g").classList.contains(LOADING));
  });

  test("history navigation sends __navigate__ only when the query string changed", () => {
    const { window, v, ws } = view("");
    let href = "http://example.test/";
    v.href = () => href;
    v.query = "";
    ws().onopen();
    ws().receive({ tree: FORM, meta: { success: true, errors: {} } });
    href = "http://example.test/#section";
    window.dispatchEvent(new window.PopStateEvent("popstate"));
    href = "http://example.test/?page=2&tag=a&tag=b";
    window.dispatchEvent(new window.PopStateEvent("popstate"));
    assert.deepEqual(ws().sent.map((t) => JSON.parse(t)), [
      { action: "__navigate__", data: { page: "2", tag: ["a", "b"] }, ref: 1 },
    ]);
  });

  test("redirects are followed; capabilities turn on live validation", () => {
    const { v, ws } = view("");
    /** @type {string[]} */
    const went = [];
    v.go = (to) => went.push(to);
    ws().onopen();
    ws().receive({ tree: FORM, meta: { success: true, errors: {}, capabilities: ["change"] } });
    assert.ok(v.change);
    ws().receive({ type: "redirect", to: "/done" });
    assert.deepEqual(went, ["/done"]);
  });

  test("after a reconnect the full tree comes back, the user's edits stay and are sent again", () => {
    const { window, document, v, ws, seen } = view("");
    ws().onopen();
    ws().receive({ tree: { ...FORM, s: [FORM.s[0].replace("<form", '<form lvt-on:change="draft"'), FORM.s[1]] }, meta: { success: true, errors: {} } });
    const input = $(document, "#t");
    input.focus();
    input.value = "half typed";
    input.setSelectionRange(4, 4);
    input.dispatchEvent(new window.Event("input", { bubbles: true }));
    ws().close();
    assert.ok(seen.includes("disconnected:r"));
    mock.timers.tick(100);
    const again = ws();
    again.onopen();
    again.receive({ tree: { ...FORM, s: [FORM.s[0].replace("<form", '<form lvt-on:change="draft"'), FORM.s[1]], 0: "9" }, meta: { success: true, errors: {} } });
    const now = $(document, "#t");
    assert.equal(now.value, "half typed");
    assert.equal(document.activeElement, now);
    assert.equal(now.selectionStart, 4);
    assert.equal($(document, "#n").textContent, "9");
    assert.deepEqual(JSON.parse(again.sent[0]), { action: "draft", data: { title: "half typed" }, ref: 1 });
    v.stop();
  });
});

// Flare's console capture, only ever registered after the user opted in on the options page
// (src/console_capture.rs registers it with chrome.scripting, and unregisters it when they opt
// out). It runs in the page's own world (MAIN): the page's `console`, `fetch` and
// `XMLHttpRequest` are that world's objects, and a content script's isolated world has copies of
// its own, so wrapping them there would see nothing the page does.
//
// It keeps the last few uncaught errors, console.error calls and failed requests of this document
// in memory, bounded in count and size, and sends nothing anywhere: the report form takes them
// (console-read.js, which empties the buffer: from then on the report's draft holds them) when
// the user reports this tab, and flare-core redacts secrets before the user sees them.
(() => {
  const KEY = Symbol.for('flare.console');
  if (globalThis[KEY]) return;
  const MAX_ENTRIES = 30;
  const MAX_TEXT = 500;
  const MAX_TOTAL = 8000;
  const entries = [];
  let total = 0;
  const keep = (kind, text) => {
    const cut = String(text).slice(0, MAX_TEXT);
    entries.push({ kind, text: cut, at: Date.now() });
    total += cut.length;
    while (entries.length > MAX_ENTRIES || total > MAX_TOTAL) total -= entries.shift().text.length;
  };
  const copy = () => entries.map((entry) => ({ ...entry }));
  const clear = () => {
    entries.length = 0;
    total = 0;
  };
  Object.defineProperty(globalThis, KEY, { value: Object.freeze({ entries: copy, clear }) });

  const describe = (value) => {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (typeof value === 'string') return value;
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  };
  const absolute = (url) => {
    try {
      return new URL(String(url), location.href).href;
    } catch {
      return String(url);
    }
  };

  addEventListener('error', (event) => {
    // Failed images and scripts fire plain events here too; only script errors are ErrorEvents.
    if (event instanceof ErrorEvent) keep('error', event.error ? describe(event.error) : event.message);
  }, true);
  addEventListener('unhandledrejection', (event) => keep('error', describe(event.reason)));

  const consoleError = console.error;
  console.error = function (...args) {
    keep('console', args.map(describe).join(' '));
    return consoleError.apply(this, args);
  };

  const pageFetch = globalThis.fetch;
  if (typeof pageFetch === 'function') {
    globalThis.fetch = async function (input, init) {
      const method = String(init?.method ?? input?.method ?? 'GET').toUpperCase();
      const url = absolute(input?.url ?? input);
      try {
        const response = await pageFetch.apply(this, arguments);
        if (!response.ok) keep('request', `${method} ${url} → ${response.status}`);
        return response;
      } catch (error) {
        keep('request', `${method} ${url} → ${describe(error)}`);
        throw error;
      }
    };
  }

  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  const requests = new WeakMap();
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    requests.set(this, `${String(method).toUpperCase()} ${absolute(url)}`);
    return open.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    this.addEventListener('loadend', () => {
      if (this.status === 0 || this.status >= 400) {
        keep('request', `${requests.get(this) ?? ''} → ${this.status || 'failed'}`);
      }
    });
    return send.apply(this, args);
  };
})();

// Injected by the report form into the tab it reports on (chrome.scripting.executeScript, MAIN
// world) only when the user opted in: the value of this file's last expression, what
// console-capture.js kept for this document, is what the form gets back.
(() => {
  const read = globalThis[Symbol.for('flare.console')];
  return typeof read === 'function' ? read() : [];
})();

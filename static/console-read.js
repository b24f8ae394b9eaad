// Injected by the report form into the tab it reports on (chrome.scripting.executeScript, MAIN
// world) only when the user opted in: the value of this file's last expression, what
// console-capture.js kept for this document, is what the form gets back. The buffer is emptied:
// the report's draft keeps them from now on, and the next report starts afresh.
(() => {
  const capture = globalThis[Symbol.for('flare.console')];
  if (!capture) return [];
  const taken = capture.entries();
  capture.clear();
  return taken;
})();

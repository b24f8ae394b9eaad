// The background service worker (Chrome) or background script (Firefox). MV3 starts it for an
// event and stops it when idle, and only listeners registered in its first turn are sure to get
// the event that woke it: they are registered here, synchronously, and hand each message to the
// wasm (src/worker.rs) once it is ready. Service workers allow no top-level await.
import init, {
  handle_alarm,
  handle_installed,
  handle_menu_click,
  handle_message,
  handle_notification_click,
  handle_online,
} from './flare_worker.js';

const api = globalThis.browser ?? globalThis.chrome;
const ready = init({ module_or_path: new URL('./flare_worker_bg.wasm', import.meta.url) });
const ownPages = api.runtime.getURL('');

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  // Only the extension's own pages may ask: never a content script, a web page or another extension.
  if (sender.id !== api.runtime.id || !sender.url?.startsWith(ownPages)) {
    return false;
  }
  ready
    .then(() => handle_message(message))
    .then(sendResponse, (error) => sendResponse({ failed: { error: { browser: String(error) } } }));
  // The reply comes later.
  return true;
});

// Queued reports (src/outbox.rs) and followed tickets (src/follow.rs): an alarm says one fell due
// or a sync is due; the browser starting or the network coming back makes both worth a try now.
api.alarms.onAlarm.addListener((alarm) => {
  ready.then(() => handle_alarm(alarm.name));
});
api.runtime.onStartup.addListener(() => {
  ready.then(() => handle_online());
});
globalThis.addEventListener('online', () => {
  ready.then(() => handle_online());
});
// A notification about a ticket opens its page (src/follow.rs).
api.notifications.onClicked.addListener((id) => {
  ready.then(() => handle_notification_click(id));
});

// "Report this page" and "Report the selected text" (src/context_menu.rs): made on install and
// update, in the browser's language; a click opens the popup with that page's report.
api.runtime.onInstalled.addListener(() => {
  ready.then(() => handle_installed());
});
api.contextMenus.onClicked.addListener((info, tab) => {
  ready.then(() => handle_menu_click(String(info.menuItemId), info.pageUrl ?? tab?.url ?? '', info.selectionText ?? ''));
});

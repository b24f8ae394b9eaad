// End to end: "Report the selected text" in a page's context menu opens Flare's report form for
// that page with the selection quoted above the description, and "Report this page" opens it
// without a quote; the keyboard shortcut that opens the popup is registered.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage, words } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const en = words('en');
let sandbox;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.stop();
});

/** A browser with Flare connected as abel.tuter, and a page of the instance open in it. */
async function browserOnAPage() {
  const browser = await launchExtension({ sandbox });
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
  await popup.save();
  await popup.shortDescription().waitFor();
  await popup.page.close();
  const page = await browser.newPage();
  await page.goto(`${sandbox.url}/`);
  const worker = browser.context.serviceWorkers()[0] ?? (await browser.context.waitForEvent('serviceworker'));
  return { browser, page, worker };
}

/**
 * Chooses Flare's context menu item `item` on `page`, as the browser reports a click on it, and
 * waits for the toolbar popup it opens. Playwright cannot reach into a toolbar popup, so what
 * its report form holds is read from the draft the form keeps in storage.
 */
async function chooseMenuItem({ page, worker }, item, selectionText) {
  await page.bringToFront();
  await worker.evaluate(
    ([menuItemId, pageUrl, selection]) =>
      chrome.contextMenus.onClicked.dispatch({ menuItemId, pageUrl, selectionText: selection }, { url: pageUrl }),
    [item, page.url(), selectionText],
  );
  return worker.evaluate(async (pageTitle) => {
    for (;;) {
      const popups = await chrome.runtime.getContexts({ contextTypes: ['POPUP'] });
      const { 'draft:incident': draft } = await chrome.storage.local.get('draft:incident');
      const { 'report:request': request } = await chrome.storage.session.get('report:request');
      if (popups.length === 1 && draft?.short_description === pageTitle && request === undefined) return draft;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, await page.title());
}

test('"Report the selected text" opens the report form quoting the selection', async () => {
  const { browser, page, worker } = await browserOnAPage();
  try {
    const draft = await chooseMenuItem({ page, worker }, 'report-selection', 'Error 503:\nupstream timed out');
    assert.equal(draft.description, '> Error 503:\n> upstream timed out\n');
    assert.match(draft.page_details, new RegExp(`^Page: ${sandbox.url}/`), 'a report of that page');

    // The same report, filed (from the popup's page in a tab, which Playwright can reach).
    const popup = new PopupPage(await browser.openPopup());
    await popup.page.waitForFunction(() => document.querySelector('textarea[name=description]')?.value.startsWith('> '));
    await popup.shortDescription().fill('The status page shows a 503');
    await popup.createIncident();
    const number = (await popup.createdIncident().textContent()).trim();
    const [incident] = await sandbox.table('incident', { sysparm_query: `number=${number}` });
    assert.match(incident.description, /^> Error 503:\n> upstream timed out\n\nPage: /);
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('"Report this page" opens the report form without a quote', async () => {
  const { browser, page, worker } = await browserOnAPage();
  try {
    const draft = await chooseMenuItem({ page, worker }, 'report-page', 'ignored');
    assert.equal(draft.description, '');
    assert.match(draft.page_details, new RegExp(`^Page: ${sandbox.url}/`));
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('a keyboard shortcut opens the popup', async () => {
  const { browser, worker } = await browserOnAPage();
  try {
    const commands = await worker.evaluate(() => chrome.commands.getAll());
    const open = commands.find((command) => command.name === '_execute_action');
    assert.equal(open?.shortcut, 'Alt+Shift+F');
  } finally {
    await browser.close();
  }
});

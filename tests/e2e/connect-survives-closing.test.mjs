// End to end: connecting survives the popup closing. Firefox always, and Chromium in a real
// window, close the popup when the browser's host permission prompt opens, and the user opens it
// again. Here the popup is closed while the instance is still checking the sign-in; the reopened
// popup finds the attempt, sees access to acme.service-now.com granted (the e2e build grants the
// test origins, as a user allowing the prompt would), and finishes it without the password being
// typed again.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchExtension } from './support/browser.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchExtension({ sandbox });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Polls `condition` until it holds; fails after `timeoutMs`. */
async function waitUntil(condition, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a connect attempt cut short by the popup closing goes on when it is reopened', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
  // The instance holds its answer back long enough for the popup to close before anything is saved.
  await sandbox.fault({ kind: 'latency', millis: 10_000, count: 1 });
  await popup.save();
  await popup.status().filter({ hasText: popup.words.connect_checking }).waitFor();
  await waitUntil(async () => (await sandbox.faults()).length === 0, 'the check to reach the instance');

  const local = await popup.page.evaluate(() => chrome.storage.local.get(null));
  assert.equal(local.connections?.connections?.length ?? 0, 0, 'nothing is saved yet');
  assert.doesNotMatch(JSON.stringify(local), /"password":/, 'the password never reaches storage.local');
  const session = await popup.page.evaluate(() => chrome.storage.session.get(null));
  assert.equal(session['connect:secrets']?.password, 'abel.tuter', 'the password waits in storage.session');
  assert.equal(session['connect:pending']?.draft?.instance, 'acme', 'the attempt is recorded');

  // The next check is slow enough to be seen going on.
  await sandbox.fault({ kind: 'latency', millis: 1_500, count: 1 });
  await popup.page.close();

  const reopened = new PopupPage(await browser.openPopup());
  await reopened.status().filter({ hasText: reopened.words.connect_checking }).waitFor();
  await reopened.shortDescription().waitFor();
  await reopened.page.getByText('Signed in to acme.service-now.com as Abel Tuter').waitFor();

  const saved = await reopened.page.evaluate(() => chrome.storage.local.get('connections'));
  assert.deepEqual(
    saved.connections.connections.map((connection) => connection.name),
    ['acme.service-now.com'],
  );
  assert.deepEqual(
    await reopened.page.evaluate(() => chrome.storage.session.get(null)),
    {},
    'the password and the attempt are done with once the connection is saved',
  );
  browser.assertNoErrors();
});

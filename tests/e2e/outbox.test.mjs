// End to end: a report the instance cannot take now (its create committed but the answer lost,
// then 503 on every call) waits in the outbox instead of being lost; once the instance is back,
// "Send now" has the background worker file it, exactly once (the lookup by correlation id finds
// the committed create), with a notification.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

let sandbox;
let browser;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
  browser = await launchExtension({ sandbox });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('a report the instance cannot take now waits, then is filed exactly once', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
  await popup.save();
  await popup.shortDescription().waitFor();

  const title = 'Badge reader at door 4 is dead';
  await sandbox.fault({ kind: 'drop_after_commit', count: 1 });
  await sandbox.fault({ kind: 'status', status: 503, count: 100 });
  await popup.shortDescription().fill(title);
  await popup.createIncident();
  await popup.status().filter({ hasText: popup.words.outbox_queued }).waitFor({ timeout: 60_000 });
  assert.equal(await popup.shortDescription().inputValue(), '', 'the form is free for the next report');

  const waiting = popup.page.getByRole('region', { name: popup.words.outbox_heading });
  await waiting.getByText(title).waitFor();
  await waiting.getByText(/Next try:/).waitFor();
  await checkEveryTheme(popup.page, 'outbox-waiting');

  await sandbox.clearFaults();
  await waiting.getByRole('button', { name: popup.words.outbox_send_now }).click();
  const filed = waiting.getByRole('link');
  await filed.waitFor({ timeout: 60_000 });
  const number = (await filed.textContent()).trim();
  assert.match(number, /^INC\d{7}$/);

  const matching = await sandbox.table('incident', { sysparm_query: `short_description=${title}`, sysparm_fields: 'number' });
  assert.deepEqual(matching.map((incident) => incident.number), [number], 'filed once, the one the outbox shows');
  const notifications = await popup.page.evaluate(() => chrome.notifications.getAll());
  assert.equal(Object.keys(notifications).length, 1, 'a notification says it was filed');

  await waiting.getByRole('button', { name: `Remove “${title}” from the reports waiting to be filed` }).click();
  await waiting.waitFor({ state: 'detached' });
  browser.assertNoErrors();
});

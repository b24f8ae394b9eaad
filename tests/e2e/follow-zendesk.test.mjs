// End to end: Flare follows a Zendesk agent's requested tickets from the background worker, by an
// updated-since watermark through the account's search. After the first sync (which only
// learns), an admin's public reply made through the Zendesk API raises the badge and a
// notification that opens the ticket's page; the ticket's description is not news, and a new
// status is told the same way.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage, words } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const en = words('en');
// The sandbox's agent@example.com (crates/sandbox/src/zendesk/seed.rs).
const AGENT_ID = 10002;
let sandbox;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.stop();
});

async function ringSyncAlarm(worker) {
  await worker.evaluate(() => chrome.alarms.create('sync', { when: Date.now() }));
}

async function badge(worker) {
  return worker.evaluate(() => chrome.action.getBadgeText({}));
}

async function waitForBadge(worker, text) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await badge(worker)) === text) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(await badge(worker), text, 'the toolbar badge');
}

async function notificationIds(worker) {
  return Object.keys(await worker.evaluate(() => chrome.notifications.getAll()));
}

test('an admin replies on a Zendesk ticket: the badge counts it and the notification opens it', async () => {
  const { ticket } = await sandbox.zendesk.api('tickets.json', {
    method: 'POST',
    json: { ticket: { subject: 'Headset crackles', requester_id: AGENT_ID, comment: { body: 'Since Monday.' } } },
  });
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    await popup.choose(en.connect_provider_label, en.connect_provider_zendesk);
    await popup.page.getByLabel(en.connect_zendesk_address_label).fill('acme');
    await popup.page.getByLabel(en.connect_email_label).fill('agent@example.com');
    await popup.page.getByLabel(en.connect_api_token_label).fill('sandbox-token');
    await popup.save();
    await popup.tab(en.view_new_ticket).waitFor();
    // Opening the popup with a connection asks the worker to look: its first sync only learns.
    await popup.page.reload();
    await popup.tab(en.view_new_ticket).waitFor();
    const connectionId = await popup.page.evaluate(async () => {
      for (;;) {
        const stored = await chrome.storage.local.get(null);
        const id = stored.connections.default_id;
        if (stored[`sync:${id}`]?.watermark) return id;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const worker = browser.context.serviceWorkers()[0];
    assert.equal(await badge(worker), '', 'nothing to tell yet');

    // Nothing changed: the description, read again from the watermark's second, is no news.
    await ringSyncAlarm(worker);
    // The sync is over once it has set the next alarm, minutes away.
    await popup.page.waitForFunction(async () => {
      const alarm = await chrome.alarms.get('sync');
      return alarm !== undefined && alarm.scheduledTime > Date.now() + 10_000;
    });
    assert.equal(await badge(worker), '');

    await sandbox.zendesk.api(`tickets/${ticket.id}.json`, {
      method: 'PUT',
      json: { ticket: { comment: { body: 'Try the USB port on the left.', public: true } } },
    });
    await ringSyncAlarm(worker);
    await waitForBadge(worker, '1');
    const notification = `ticket|${connectionId}|${ticket.id}`;
    assert.deepEqual(await notificationIds(worker), [notification]);

    const opened = browser.context.waitForEvent('page', {
      predicate: (page) => page.url().includes('/ticket.html?'),
    });
    await worker.evaluate((id) => chrome.notifications.onClicked.dispatch(id), notification);
    const page = await opened;
    await page.getByRole('heading', { level: 1, name: `#${ticket.id} Headset crackles` }).waitFor();
    await page.getByRole('list', { name: en.ticket_conversation }).getByText('Try the USB port on the left.').waitFor();
    await waitForBadge(worker, '');

    // A new status is news too.
    await sandbox.zendesk.api(`tickets/${ticket.id}.json`, { method: 'PUT', json: { ticket: { status: 'pending' } } });
    await ringSyncAlarm(worker);
    await waitForBadge(worker, '1');
    assert.deepEqual(await notificationIds(worker), [notification]);
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

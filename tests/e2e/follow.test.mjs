// End to end: Flare follows the user's incidents from the background worker. After an agent
// comments through the instance's API, the worker's sync alarm finds it: the toolbar badge counts
// the incident and a notification names it; clicking the notification opens the incident's page,
// and looking at it clears the badge. A state change is told the same way; the user's own comment
// is not. The options page sets how often the worker looks, or that it never does.
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

/** The extension's background service worker, started if it is not running. */
async function backgroundWorker(browser) {
  return browser.context.serviceWorkers()[0] ?? browser.context.waitForEvent('serviceworker');
}

/** Rings the worker's sync alarm now, as the browser does when it falls due. */
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

test('an agent comments: the badge counts it, the notification opens the incident, looking clears it', async () => {
  const [abel] = await sandbox.table('sys_user', { sysparm_query: 'user_name=abel.tuter' });
  const incident = await sandbox.api('table/incident', {
    method: 'POST',
    json: { short_description: 'Laptop will not charge', caller_id: abel.sys_id },
  });
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
    await popup.save();
    await popup.shortDescription().waitFor();
    // Opening the popup with a connection asks the worker to look: its first sync only learns.
    await popup.page.reload();
    await popup.shortDescription().waitFor();
    const connectionId = await popup.page.evaluate(async () => {
      for (;;) {
        const stored = await chrome.storage.local.get(null);
        const id = stored.connections.default_id;
        if (stored[`sync:${id}`]?.watermark) return id;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const worker = await backgroundWorker(browser);
    assert.equal(await badge(worker), '', 'nothing to tell yet');

    await sandbox.api(`table/incident/${incident.sys_id}`, {
      method: 'PATCH',
      user: 'itil',
      json: { comments: 'Try the other power brick, please.' },
    });
    // The user's own comment is not news to them.
    await sandbox.api(`table/incident/${incident.sys_id}`, {
      method: 'PATCH',
      user: 'abel.tuter',
      json: { comments: 'Will do.' },
    });
    await ringSyncAlarm(worker);
    await waitForBadge(worker, '1');
    const notification = `ticket|${connectionId}|${incident.sys_id}`;
    assert.deepEqual(await notificationIds(worker), [notification]);

    // Clicking it opens the incident's page in a tab.
    const opened = browser.context.waitForEvent('page', {
      predicate: (page) => page.url().includes('/ticket.html?'),
    });
    await worker.evaluate((id) => chrome.notifications.onClicked.dispatch(id), notification);
    const page = await opened;
    assert.equal(
      new URL(page.url()).search,
      `?connection=${encodeURIComponent(connectionId)}&ticket=${incident.sys_id}`,
    );
    await page.getByRole('heading', { level: 1, name: `${incident.number} Laptop will not charge` }).waitFor();
    await page.getByRole('list', { name: en.ticket_conversation }).getByText('Try the other power brick, please.').waitFor();
    await waitForBadge(worker, '');
    assert.deepEqual(await notificationIds(worker), [], 'the clicked notification is gone');

    // A new state is news too; the list clears the badge as well.
    await sandbox.api(`table/incident/${incident.sys_id}`, { method: 'PATCH', user: 'itil', json: { state: '2' } });
    await ringSyncAlarm(worker);
    await waitForBadge(worker, '1');
    assert.deepEqual(await notificationIds(worker), [notification]);
    await popup.page.reload();
    await popup.tab(en.view_my_incidents).click();
    await popup.incidentList().getByRole('link', { name: incident.number }).waitFor();
    await waitForBadge(worker, '');

    // The options page sets how often: every minute moves the alarm, never removes it.
    const options = await browser.openOptions();
    const syncAlarm = () => worker.evaluate(() => chrome.alarms.get('sync'));
    await options.getByRole('radio', { name: en.follow_every_minute }).check();
    for (let attempt = 0; ; attempt += 1) {
      const alarm = await syncAlarm();
      if (alarm && alarm.scheduledTime - Date.now() < 61_000) break;
      assert.ok(attempt < 100, `the alarm moved to a minute from now: ${JSON.stringify(alarm)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await options.getByRole('radio', { name: en.follow_never }).check();
    for (let attempt = 0; (await syncAlarm()) !== undefined; attempt += 1) {
      assert.ok(attempt < 100, 'the alarm is gone');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

// End to end: "My incidents" over an instance holding 10,000 generated incidents besides the demo
// data. The list pages 20 at a time (never all of them), searches by words, shows open or
// resolved ones and orders by priority, each checked against what the instance itself answers to
// the same question; axe and screenshots in both themes. A Zendesk agent's tickets are searched
// and filtered by status through Zendesk's search, and shown by their numbers.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage, words } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const en = words('en');
let sandbox;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox({ seedIncidents: 10_000 });
});

after(async () => {
  await sandbox?.stop();
});

/** The incidents the instance has for `query`, in its order (numbers only). */
async function numbers(query, limit = 10_000) {
  const rows = await sandbox.table('incident', { sysparm_query: query, sysparm_fields: 'number', sysparm_limit: limit });
  return rows.map((row) => row.number);
}

/** The numbers the list shows, in its order. */
async function shown(popup) {
  return popup.incidentList().getByRole('link').allTextContents();
}

/** Waits until the pager says `first`–`last` of `total`. */
async function range(popup, first, last, total) {
  const text = en.incidents_range.replace('$1', first).replace('$2', last).replace('$3', total);
  await popup.page.locator('.pager span').filter({ hasText: text }).waitFor();
}

test('my incidents among 10,000: paged, searched, filtered and ordered as the instance answers', async () => {
  const [abel] = await sandbox.table('sys_user', { sysparm_query: 'user_name=abel.tuter' });
  const mine = `caller_id=${abel.sys_id}`;
  const all = await numbers(`${mine}^ORDERBYDESCsys_updated_on`);
  assert.ok(all.length > 2000, `abel has ${all.length} incidents`);
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
    await popup.save();
    await popup.tab(en.view_my_incidents).click();
    await range(popup, 1, 20, all.length);
    assert.deepEqual(await shown(popup), all.slice(0, 20));

    // Paging asks for 20 at a time, wherever in the list.
    for (let page = 1; page <= 3; page += 1) {
      await popup.page.getByRole('button', { name: en.incidents_older }).click();
      await range(popup, page * 20 + 1, page * 20 + 20, all.length);
    }
    assert.deepEqual(await shown(popup), all.slice(60, 80));

    // Words, from the first page again.
    await popup.page.getByRole('searchbox', { name: en.list_search_label }).fill('Printing fails');
    await popup.page.getByRole('button', { name: en.list_search, exact: true }).click();
    const printing = await numbers(`${mine}^numberLIKEPrinting fails^ORshort_descriptionLIKEPrinting fails^ORdescriptionLIKEPrinting fails^ORDERBYDESCsys_updated_on`);
    assert.ok(printing.length > 20 && printing.length < all.length, `${printing.length} about printing`);
    await range(popup, 1, 20, printing.length);
    assert.deepEqual(await shown(popup), printing.slice(0, 20));

    // Open ones only (resolved incidents stay `active` in ServiceNow, but are not open), most
    // urgent first.
    await popup.page.getByLabel(en.list_scope_label).selectOption({ label: en.list_scope_open });
    await popup.page.getByLabel(en.list_sort_label).selectOption({ label: en.list_sort_priority });
    const urgent = await numbers(`stateNOT IN6,7,8^${mine}^numberLIKEPrinting fails^ORshort_descriptionLIKEPrinting fails^ORdescriptionLIKEPrinting fails^ORDERBYpriority^ORDERBYDESCsys_updated_on`);
    await range(popup, 1, 20, urgent.length);
    assert.deepEqual(await shown(popup), urgent.slice(0, 20));
    const states = await popup.incidentList().locator('.state').allTextContents();
    assert.deepEqual(states.filter((state) => /Resolved|Closed|Canceled/.test(state)), [], 'only open ones');
    await checkEveryTheme(popup.page, 'my-incidents-filtered');

    // Resolved or closed ones: none of them is open.
    await popup.page.getByLabel(en.list_scope_label).selectOption({ label: en.list_scope_done });
    const done = await numbers(`stateIN6,7,8^${mine}^numberLIKEPrinting fails^ORshort_descriptionLIKEPrinting fails^ORdescriptionLIKEPrinting fails^ORDERBYpriority^ORDERBYDESCsys_updated_on`);
    await range(popup, 1, 20, done.length);
    assert.deepEqual(await shown(popup), done.slice(0, 20));
    assert.equal(done.filter((number) => urgent.includes(number)).length, 0);

    // Nothing found says so, in other words than an empty account.
    await popup.page.getByRole('searchbox', { name: en.list_search_label }).fill('no such words anywhere');
    await popup.page.getByRole('button', { name: en.list_search, exact: true }).click();
    await popup.page.getByText(en.incidents_no_match).waitFor();
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('my Zendesk tickets are searched and filtered by status through Zendesk search', async () => {
  const agentId = 10_002;
  const file = async (subject, status) => {
    const { ticket } = await sandbox.zendesk.api('tickets.json', {
      method: 'POST',
      json: { ticket: { subject, comment: { body: subject }, requester_id: agentId, assignee_id: agentId, status } },
    });
    return `#${ticket.id}`;
  };
  const scanner = await file('Scanner on floor 4 is offline', 'open');
  const solved = await file('Scanner driver missing', 'solved');
  const other = await file('Projector flickers', 'open');
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    const { page } = popup;
    await popup.choose(en.connect_provider_label, en.connect_provider_zendesk);
    await page.getByLabel(en.connect_zendesk_address_label).fill('acme');
    await page.getByLabel(en.connect_email_label).fill('agent@example.com');
    await page.getByLabel(en.connect_api_token_label).fill('sandbox-token');
    await popup.save();
    await popup.tab(en.view_my_tickets).click();
    const list = page.getByRole('list', { name: en.view_my_tickets });
    await list.getByRole('link', { name: other }).waitFor();
    assert.equal(await page.getByLabel(en.list_sort_label).count(), 0, 'Zendesk lists in its own order');

    await page.getByRole('searchbox', { name: en.list_search_label }).fill('scanner');
    await page.getByRole('button', { name: en.list_search, exact: true }).click();
    await list.getByRole('link', { name: solved }).waitFor();
    assert.deepEqual((await list.getByRole('link').allTextContents()).sort(), [scanner, solved].sort());

    await page.getByLabel(en.list_scope_label).selectOption({ label: en.list_scope_open });
    await page.waitForFunction((gone) => ![...document.querySelectorAll('.tickets a')].some((a) => a.textContent === gone), solved);
    assert.deepEqual(await list.getByRole('link').allTextContents(), [scanner]);

    await page.getByLabel(en.list_scope_label).selectOption({ label: en.list_scope_done });
    await page.waitForFunction((gone) => ![...document.querySelectorAll('.tickets a')].some((a) => a.textContent === gone), scanner);
    assert.deepEqual(await list.getByRole('link').allTextContents(), [solved]);

    // Ticket numbers alone show those tickets side by side (Zendesk's show_many).
    await page.getByRole('searchbox', { name: en.list_search_label }).fill(`${other} ${scanner}`);
    await page.getByRole('button', { name: en.list_search, exact: true }).click();
    await list.getByRole('link', { name: other }).waitFor();
    assert.deepEqual((await list.getByRole('link').allTextContents()).sort(), [other, scanner].sort());
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

// End to end: the lists beside "Mine". An itil agent lists the incidents assigned to them and to
// their groups (memberships in sys_user_grmember), each compared with the instance's own answer;
// a caller is offered only their own incidents and requests, lists their requests (sc_request)
// and opens one on the ticket page, which reads the request table and takes a comment. A Zendesk
// agent lists the tickets assigned to them. axe and screenshots in both themes.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage, words } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const en = words('en');
const NETWORK = '287ebd7da9fe198100f92cc8d1d2154e';
const HARDWARE = '8a5055c9c61122780043563ef53438e3';
const DATABASE = '287ee6fea9fe198100ada7950d0b1b73';
let sandbox;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.stop();
});

/** A browser with Flare connected to the instance as the demo user `user`, on its list. */
async function listAs(user) {
  const browser = await launchExtension({ sandbox });
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: user, password: user });
  await popup.save();
  await popup.shortDescription().waitFor();
  await popup.tab(en.view_my_incidents).click();
  await popup.incidentList().or(popup.page.getByText(en.incidents_none)).waitFor();
  return { browser, popup };
}

async function sysId(userName) {
  const [user] = await sandbox.table('sys_user', { sysparm_query: `user_name=${userName}` });
  return user.sys_id;
}

/** The numbers the popup's list (named `name`) shows, once it shows `expected` (in any order). */
async function listed(popup, expected, name = en.view_my_incidents) {
  const list = popup.page.getByRole('list', { name });
  try {
    await popup.page.waitForFunction(
      (numbers) => {
        const shown = [...document.querySelectorAll('ul.tickets .ticket-head a')].map((link) => link.textContent);
        return numbers.every((number) => shown.includes(number)) && shown.length === numbers.length;
      },
      expected,
      { timeout: 10_000 },
    );
  } catch (error) {
    const shown = await popup.page.locator('main').textContent();
    throw new Error(`the list never showed ${expected.join(' ')}; the popup says: ${shown}`, { cause: error });
  }
  return list.getByRole('link').allTextContents();
}

/** The first page (20) of `table` records for an encoded query, as the instance answers it. */
async function firstPage(table, query) {
  const records = await sandbox.table(table, { sysparm_query: `${query}^ORDERBYDESCsys_updated_on`, sysparm_limit: 20 });
  return records.map((record) => record.number);
}

const whose = (popup) => popup.page.getByLabel(en.list_whose_label);

test('an itil agent lists what is assigned to them and to their groups', async () => {
  const itil = await sysId('itil');
  // The demo itil user (Beth Anglin) is in Service Desk, Hardware and Software; now Network too.
  await sandbox.api('table/sys_user_grmember', { method: 'POST', json: { user: itil, group: NETWORK } });
  const memberships = await sandbox.table('sys_user_grmember', { sysparm_query: `user=${itil}` });
  const groups = memberships.map((membership) => membership.group.value ?? membership.group);
  assert.ok(groups.includes(NETWORK) && groups.includes(HARDWARE) && !groups.includes(DATABASE));
  const file = (json) => sandbox.api('table/incident', { method: 'POST', json: { caller_id: itil, ...json } });
  await file({ short_description: 'Mine to fix', assigned_to: itil });
  await file({ short_description: 'Switch down', assignment_group: NETWORK });
  await file({ short_description: 'Disk failing', assignment_group: HARDWARE });
  const slowQuery = await file({ short_description: 'Slow query', assignment_group: DATABASE });

  const { browser, popup } = await listAs('itil');
  try {
    const offered = await whose(popup).locator('option').allTextContents();
    assert.deepEqual(offered, [en.list_whose_mine, en.list_whose_assigned, en.list_whose_groups, en.list_whose_requests]);

    await whose(popup).selectOption({ label: en.list_whose_assigned });
    const assigned = await firstPage('incident', `assigned_to=${itil}`);
    assert.ok(assigned.length >= 1);
    assert.deepEqual(await listed(popup, assigned), assigned, 'the instance\'s own answer, in its order');

    await whose(popup).selectOption({ label: en.list_whose_groups });
    const grouped = await firstPage('incident', `assignment_groupIN${groups.join(',')}`);
    assert.ok(grouped.length >= 2);
    assert.ok(!(await listed(popup, grouped)).some((number) => number === slowQuery.number), 'not the Database group\'s');
    assert.deepEqual(await listed(popup, grouped), grouped);
    await checkEveryTheme(popup.page, 'list-my-groups');
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('a caller lists their requests and opens one, which takes a comment', async () => {
  const abel = await sysId('abel.tuter');
  const request = await sandbox.api('table/sc_request', {
    method: 'POST',
    json: { short_description: 'New laptop for Abel', requested_for: abel },
  });

  const { browser, popup } = await listAs('abel.tuter');
  try {
    const offered = await whose(popup).locator('option').allTextContents();
    assert.deepEqual(offered, [en.list_whose_mine, en.list_whose_requests], 'a caller has no assignments');
    await whose(popup).selectOption({ label: en.list_whose_requests });
    const requests = await firstPage('sc_request', `requested_for=${abel}`);
    assert.ok(requests.includes(request.number));
    assert.deepEqual(await listed(popup, requests), requests);

    await popup.incidentList().getByRole('link', { name: request.number }).click();
    const { page } = popup;
    await page.getByRole('heading', { level: 1, name: `${request.number} New laptop for Abel` }).waitFor();
    assert.match(page.url(), /[?&]table=sc_request/);
    assert.match(await page.locator('dl.fields').textContent(), /RequesterAbel Tuter/);
    await page.getByLabel(en.ticket_comment_label).fill('A 14-inch one, please.');
    await page.getByRole('button', { name: en.ticket_add_comment }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_comment_added }).waitFor();
    const comments = await sandbox.table('sys_journal_field', { sysparm_query: `element_id=${request.sys_id}^element=comments` });
    assert.deepEqual(comments.map((entry) => entry.value), ['A 14-inch one, please.']);
    assert.equal(await page.getByRole('button', { name: en.ticket_edit }).count(), 0, 'no field edits on a request');
    await checkEveryTheme(page, 'detail-request', { surface: 'ticket' });
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('a Zendesk agent lists the tickets assigned to them', async () => {
  const { ticket: theirs } = await sandbox.zendesk.api('tickets.json', {
    method: 'POST',
    json: { ticket: { subject: 'Printer offline', assignee_id: 10002, comment: { body: 'Floor 3.' } } },
  });
  await sandbox.zendesk.api('tickets.json', {
    method: 'POST',
    json: { ticket: { subject: 'Someone else\'s', assignee_id: 10001, comment: { body: 'Not theirs.' } } },
  });
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    await popup.choose(en.connect_provider_label, en.connect_provider_zendesk);
    await popup.page.getByLabel(en.connect_zendesk_address_label).fill('acme');
    await popup.page.getByLabel(en.connect_email_label).fill('agent@example.com');
    await popup.page.getByLabel(en.connect_api_token_label).fill('sandbox-token');
    await popup.save();
    await popup.tab(en.view_my_tickets).click();
    // The list is a page of its own: the choice shows once it has loaded.
    await whose(popup).waitFor();
    const offered = await whose(popup).locator('option').allTextContents();
    assert.deepEqual(offered, [en.list_whose_mine, en.list_whose_assigned]);
    await whose(popup).selectOption({ label: en.list_whose_assigned });
    const { results } = await sandbox.zendesk.api('search.json?query=type%3Aticket%20assignee%3A10002');
    const expected = results.map((ticket) => `#${ticket.id}`);
    assert.ok(expected.includes(`#${theirs.id}`));
    const shown = await listed(popup, expected, en.view_my_tickets);
    assert.deepEqual([...shown].sort(), [...expected].sort());
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

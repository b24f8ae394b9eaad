// End to end: a ticket up close. A caller opens their incident from "My incidents", reads the
// agent's comment (not the work note), comments back with a draft that survives leaving the page;
// an itil agent adds a work note, resolves and reopens; only an admin is offered delete, and
// deletes; a Zendesk agent adds an internal note, solves and reopens, is told their role may not
// delete, and an admin deletes. A follow-up filed from an incident's page is linked both ways.
// Every change is checked on the service desk itself; axe and screenshots in both themes.
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
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.stop();
});

/** A browser with Flare connected to the instance as the demo user `user`. */
async function connectedAs(user) {
  const browser = await launchExtension({ sandbox });
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: user, password: user });
  await popup.save();
  await popup.shortDescription().waitFor();
  await popup.page.close();
  return browser;
}

/** An incident filed for `caller`, with an agent's comment and work note on it. */
async function seededIncident(caller, title) {
  const [user] = await sandbox.table('sys_user', { sysparm_query: `user_name=${caller}` });
  const incident = await sandbox.api('table/incident', {
    method: 'POST',
    json: { short_description: title, description: 'It jams on every second page.', caller_id: user.sys_id },
  });
  await sandbox.api(`table/incident/${incident.sys_id}`, {
    method: 'PATCH',
    user: 'itil',
    json: { comments: 'Which tray do you print from?', work_notes: 'Probably the fuser again.' },
  });
  return incident;
}

/** Connects `browser`'s Flare to the Zendesk account as `email` with the API token. */
async function connectZendesk(browser, email) {
  const popup = new PopupPage(await browser.openPopup());
  await popup.choose(en.connect_provider_label, en.connect_provider_zendesk);
  await popup.page.getByLabel(en.connect_zendesk_address_label).fill('acme');
  await popup.page.getByLabel(en.connect_email_label).fill(email);
  await popup.page.getByLabel(en.connect_api_token_label).fill('sandbox-token');
  await popup.save();
  await popup.tab(en.view_new_ticket).waitFor();
  await popup.page.close();
}

/** The journal entries of `element` (comments, work_notes) on the record. */
async function journal(sysId, element) {
  const entries = await sandbox.table('sys_journal_field', { sysparm_query: `element_id=${sysId}^element=${element}` });
  return entries.map((entry) => entry.value);
}

/** The ticket page's section of actions, found as a screen reader finds it. */
const actions = (page) => page.getByRole('region', { name: en.ticket_actions });

test('a caller reads their incident and comments, and the comment survives leaving the page', async () => {
  const incident = await seededIncident('abel.tuter', 'Printer on floor 2 jams');
  const browser = await connectedAs('abel.tuter');
  try {
    const popup = new PopupPage(await browser.openPopup());
    const { page } = popup;
    await popup.tab(en.view_my_incidents).click();
    await popup.incidentList().getByRole('link', { name: incident.number }).click();

    await page.getByRole('heading', { level: 1, name: `${incident.number} Printer on floor 2 jams` }).waitFor();
    assert.equal(await page.title(), `${incident.number} – Flare`);
    const fields = page.locator('dl.fields');
    assert.match(await fields.textContent(), /StateNew/);
    assert.match(await fields.textContent(), /CallerAbel Tuter/);
    assert.match(await page.locator('.description').textContent(), /It jams on every second page\./);
    const conversation = page.getByRole('list', { name: en.ticket_conversation });
    await conversation.getByText('Which tray do you print from?').waitFor();
    assert.doesNotMatch(await conversation.textContent(), /fuser/, 'a caller never sees work notes');
    const link = page.getByRole('link', { name: en.ticket_open_on.replace('$1', sandbox.host) });
    assert.equal(await link.getAttribute('href'), `${sandbox.url}/incident.do?sys_id=${incident.sys_id}`);
    // A caller only comments: no work note, and nothing that changes the incident's life.
    await page.getByRole('button', { name: en.ticket_add_comment }).waitFor();
    assert.equal(await page.getByRole('button', { name: en.ticket_add_work_note }).count(), 0);
    assert.equal(await actions(page).count(), 0);

    // Half a comment, then away and back: it is still there.
    const comment = page.getByLabel(en.ticket_comment_label);
    await comment.fill('Tray 2, the one with letterhead.');
    await page.waitForFunction(async () => {
      const { 'draft:comments': drafts } = await chrome.storage.local.get('draft:comments');
      return Object.values(drafts ?? {}).includes('Tray 2, the one with letterhead.');
    });
    await page.getByRole('link', { name: en.ticket_back }).click();
    await popup.incidentList().getByRole('link', { name: incident.number }).click();
    await page.waitForFunction(() => document.querySelector('#comment')?.value === 'Tray 2, the one with letterhead.');
    await checkEveryTheme(page, 'detail-caller', { surface: 'ticket' });

    await page.getByRole('button', { name: en.ticket_add_comment }).click();
    await popup.status().filter({ hasText: en.ticket_comment_added }).waitFor();
    await conversation.getByText('Tray 2, the one with letterhead.').waitFor();
    assert.deepEqual(
      (await journal(incident.sys_id, 'comments')).sort(),
      ['Tray 2, the one with letterhead.', 'Which tray do you print from?'],
      'the comment is on the incident once',
    );
    assert.equal(await comment.inputValue(), '', 'the sent comment leaves the box');
    const { 'draft:comments': drafts } = await page.evaluate(() => chrome.storage.local.get('draft:comments'));
    assert.deepEqual(drafts, {}, 'and its draft');

    // An empty comment is explained, not sent.
    await page.getByRole('button', { name: en.ticket_add_comment }).click();
    await page.getByRole('alert').filter({ hasText: en.ticket_comment_empty }).waitFor();
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('an agent adds a work note, resolves and reopens; only an admin deletes', async () => {
  const incident = await seededIncident('abel.tuter', 'Monitor flickers');
  const agent = await connectedAs('itil');
  try {
    const page = await agent.openTicket(incident.sys_id);
    const conversation = page.getByRole('list', { name: en.ticket_conversation });
    await conversation.getByText('Probably the fuser again.').waitFor();
    assert.match(await conversation.textContent(), new RegExp(en.ticket_work_note), 'work notes are marked');
    assert.equal(await actions(page).getByRole('button', { name: en.ticket_delete }).count(), 0, 'itil does not delete');

    await page.getByLabel(en.ticket_comment_label).fill('Swapped the cable.');
    await page.getByRole('button', { name: en.ticket_add_work_note }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_work_note_added }).waitFor();
    assert.ok((await journal(incident.sys_id, 'work_notes')).includes('Swapped the cable.'));
    assert.ok(!(await journal(incident.sys_id, 'comments')).includes('Swapped the cable.'), 'not as a comment');

    await actions(page).getByRole('button', { name: en.ticket_resolve }).click();
    await page.getByLabel(en.ticket_close_code).selectOption('Workaround provided');
    await page.getByRole('button', { name: en.ticket_resolve_yes }).click();
    await page.getByText(en.ticket_close_notes_missing).waitFor();
    await checkEveryTheme(page, 'detail-agent-resolve', { surface: 'ticket' });
    await page.getByLabel(en.ticket_close_notes).fill('New cable; the old one was bent.');
    await page.getByRole('button', { name: en.ticket_resolve_yes }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_resolved.replace('$1', incident.number) }).waitFor();
    let [record] = await sandbox.table('incident', { sysparm_query: `sys_id=${incident.sys_id}` });
    assert.deepEqual(
      [record.state, record.close_code, record.close_notes],
      ['6', 'Workaround provided', 'New cable; the old one was bent.'],
    );
    await page.locator('dl.fields').filter({ hasText: 'Resolved' }).waitFor();

    await actions(page).getByRole('button', { name: en.ticket_reopen }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_reopened.replace('$1', incident.number) }).waitFor();
    [record] = await sandbox.table('incident', { sysparm_query: `sys_id=${incident.sys_id}` });
    assert.equal(record.state, '2');
    await checkEveryTheme(page, 'detail-agent', { surface: 'ticket' });
    agent.assertNoErrors();
  } finally {
    await agent.close();
  }

  const admin = await connectedAs('admin');
  try {
    const page = await admin.openTicket(incident.sys_id);
    await actions(page).getByRole('button', { name: en.ticket_delete }).click();
    const question = en.ticket_delete_question.replace('$1', incident.number);
    await page.getByRole('group', { name: question }).waitFor();
    await checkEveryTheme(page, 'detail-delete', { surface: 'ticket' });
    // Keeping it changes nothing.
    await page.getByRole('button', { name: en.ticket_keep }).click();
    assert.equal((await sandbox.table('incident', { sysparm_query: `sys_id=${incident.sys_id}` })).length, 1);

    await actions(page).getByRole('button', { name: en.ticket_delete }).click();
    await page.getByRole('button', { name: en.ticket_delete_yes }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_deleted.replace('$1', incident.number) }).waitFor();
    assert.equal((await sandbox.table('incident', { sysparm_query: `sys_id=${incident.sys_id}` })).length, 0);
    admin.assertNoErrors();
  } finally {
    await admin.close();
  }
});

test('a Zendesk agent adds an internal note, solves and reopens; an admin deletes', async () => {
  const { ticket } = await sandbox.zendesk.api('tickets.json', {
    method: 'POST',
    json: { ticket: { subject: 'VPN drops at noon', comment: { body: 'Every day at 12:00.' } } },
  });
  const browser = await launchExtension({ sandbox });
  try {
    await connectZendesk(browser, 'agent@example.com');

    const page = await browser.openTicket(String(ticket.id));
    await page.getByRole('heading', { level: 1, name: `#${ticket.id} VPN drops at noon` }).waitFor();
    const conversation = page.getByRole('list', { name: en.ticket_conversation });
    await conversation.getByText('Every day at 12:00.').waitFor();

    await page.getByLabel(en.ticket_comment_label).fill('Looks like the DHCP lease.');
    await page.getByRole('button', { name: en.ticket_add_internal_note }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_internal_note_added }).waitFor();
    await conversation.getByText('Looks like the DHCP lease.').waitFor();
    const { comments } = await sandbox.zendesk.api(`tickets/${ticket.id}/comments.json`);
    const note = comments.find((comment) => comment.body === 'Looks like the DHCP lease.');
    assert.equal(note?.public, false, 'an internal note, not a public reply');

    await actions(page).getByRole('button', { name: en.ticket_resolve }).click();
    await page.getByLabel(en.ticket_solve_comment).fill('Lease time raised to a day.');
    await checkEveryTheme(page, 'detail-zendesk-solve', { surface: 'ticket' });
    await page.getByRole('button', { name: en.ticket_resolve_yes }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_resolved.replace('$1', `#${ticket.id}`) }).waitFor();
    let { ticket: record } = await sandbox.zendesk.api(`tickets/${ticket.id}.json`);
    assert.equal(record.status, 'solved');

    await actions(page).getByRole('button', { name: en.ticket_reopen }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_reopened.replace('$1', `#${ticket.id}`) }).waitFor();
    ({ ticket: record } = await sandbox.zendesk.api(`tickets/${ticket.id}.json`));
    assert.equal(record.status, 'open');

    // Whether an agent may delete is their Zendesk role's to say; this one may not, and is told.
    await actions(page).getByRole('button', { name: en.ticket_delete }).click();
    await page.getByRole('button', { name: en.ticket_delete_yes }).click();
    await actions(page).getByRole('alert').filter({ hasText: /not allowed to do this/ }).waitFor();
    ({ ticket: record } = await sandbox.zendesk.api(`tickets/${ticket.id}.json`));
    assert.equal(record.id, ticket.id, 'the ticket is still there');
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }

  const admin = await launchExtension({ sandbox });
  try {
    await connectZendesk(admin, 'admin@example.com');
    const page = await admin.openTicket(String(ticket.id));
    await actions(page).getByRole('button', { name: en.ticket_delete }).click();
    await page.getByRole('button', { name: en.ticket_delete_yes }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_deleted.replace('$1', `#${ticket.id}`) }).waitFor();
    const { deleted_tickets: deleted } = await sandbox.zendesk.api('deleted_tickets.json');
    assert.ok(deleted.some((gone) => gone.id === ticket.id), 'the ticket is among the deleted ones');
    admin.assertNoErrors();
  } finally {
    await admin.close();
  }
});

test('a follow-up is filed from an incident and linked both ways', async () => {
  const incident = await seededIncident('abel.tuter', 'Docking station drops the screen');
  const browser = await connectedAs('abel.tuter');
  try {
    const page = await browser.openTicket(incident.sys_id);
    await page.getByRole('link', { name: en.ticket_new_follow_up }).click();
    // The report form, told what it follows up.
    const popup = new PopupPage(page);
    await page.getByText(en.follow_up_of.replace('$1', incident.number)).waitFor();
    await popup.shortDescription().waitFor();
    await page.waitForFunction(() => !document.querySelector('fieldset')?.disabled);
    await checkEveryTheme(page, 'follow-up-form');
    await popup.shortDescription().fill('The new docking station drops it too');
    await popup.createIncident();
    const number = (await popup.createdIncident().textContent()).trim();
    const [child] = await sandbox.table('incident', {
      sysparm_query: `number=${number}`,
      sysparm_exclude_reference_link: 'true',
    });
    assert.equal(child.parent_incident, incident.sys_id, 'the instance links it to its parent');
    assert.equal(await page.getByText(en.follow_up_of.replace('$1', incident.number)).count(), 0, 'the next report is new');

    // The parent lists it; it names its parent.
    await page.goto(page.url().replace(/popup\.html.*$/, `ticket.html?ticket=${incident.sys_id}`));
    const followUps = page.getByRole('list', { name: en.ticket_follow_ups });
    await followUps.getByRole('link', { name: number }).waitFor();
    await checkEveryTheme(page, 'detail-follow-ups', { surface: 'ticket' });
    await followUps.getByRole('link', { name: number }).click();
    await page.getByRole('heading', { level: 1, name: `${number} The new docking station drops it too` }).waitFor();
    await page.getByRole('link', { name: incident.number }).click();
    await page.getByRole('heading', { level: 1, name: `${incident.number} Docking station drops the screen` }).waitFor();
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

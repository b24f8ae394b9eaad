// End to end: an agent changes a ticket's fields on its page. An itil agent renames an incident
// and raises its urgency and impact, seeing the priority they give before saving; an empty title
// and a save with nothing changed are explained, not sent; the caller is not offered the form.
// A Zendesk agent renames a ticket and changes its priority; an end user is not offered it.
// Every save is checked on the service desk itself; axe and screenshots in both themes.
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

/** A browser with Flare connected to the Zendesk account as `email` with the API token. */
async function connectedToZendesk(email) {
  const browser = await launchExtension({ sandbox });
  const popup = new PopupPage(await browser.openPopup());
  await popup.choose(en.connect_provider_label, en.connect_provider_zendesk);
  await popup.page.getByLabel(en.connect_zendesk_address_label).fill('acme');
  await popup.page.getByLabel(en.connect_email_label).fill(email);
  await popup.page.getByLabel(en.connect_api_token_label).fill('sandbox-token');
  await popup.save();
  await popup.tab(en.view_new_ticket).waitFor();
  await popup.page.close();
  return browser;
}

/** The incident as the instance has it now. */
async function record(sysId) {
  const [incident] = await sandbox.table('incident', { sysparm_query: `sys_id=${sysId}` });
  return incident;
}

const editButton = (page) => page.getByRole('button', { name: en.ticket_edit });
const editForm = (page) => page.getByRole('group', { name: en.ticket_edit_heading });

test('an itil agent renames an incident and raises its urgency and impact; the caller may not', async () => {
  const [caller] = await sandbox.table('sys_user', { sysparm_query: 'user_name=abel.tuter' });
  const incident = await sandbox.api('table/incident', {
    method: 'POST',
    json: { short_description: 'Printer slow', caller_id: caller.sys_id, urgency: '3', impact: '3' },
  });
  assert.equal((await record(incident.sys_id)).priority, '5');

  const agent = await connectedAs('itil');
  try {
    const page = await agent.openTicket(incident.sys_id);
    await page.getByRole('heading', { level: 1, name: `${incident.number} Printer slow` }).waitFor();
    await editButton(page).click();
    const form = editForm(page);
    const title = form.getByLabel(en.incident_short_description_label);
    assert.equal(await title.inputValue(), 'Printer slow', 'the form starts from the record');
    assert.equal(await form.getByLabel(en.incident_urgency_label).inputValue(), '3');
    const priority = form.locator('output[name=priority]');
    assert.equal(await priority.textContent(), en.priority_planning);

    // Nothing changed: said so, nothing sent.
    await form.getByRole('button', { name: en.ticket_edit_save }).click();
    await form.getByRole('alert').filter({ hasText: en.ticket_edit_unchanged }).waitFor();
    // An empty title: said so, nothing sent.
    await title.fill('  ');
    await form.getByRole('button', { name: en.ticket_edit_save }).click();
    await form.getByRole('alert').filter({ hasText: en.ticket_edit_title_missing }).waitFor();
    assert.equal(await title.getAttribute('aria-invalid'), 'true');
    assert.equal((await record(incident.sys_id)).short_description, 'Printer slow');

    await title.fill('Printer on floor 2 prints one page a minute');
    await form.getByLabel(en.incident_urgency_label).selectOption('1');
    await form.getByLabel(en.incident_impact_label).selectOption('2');
    // The priority they give, before saving.
    await page.waitForFunction(
      (expected) => document.querySelector('output[name=priority]')?.textContent === expected,
      en.priority_high,
    );
    await checkEveryTheme(page, 'detail-edit', { surface: 'ticket' });
    await form.getByRole('button', { name: en.ticket_edit_save }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_edit_saved.replace('$1', incident.number) }).waitFor();
    const saved = await record(incident.sys_id);
    assert.deepEqual(
      [saved.short_description, saved.urgency, saved.impact, saved.priority],
      ['Printer on floor 2 prints one page a minute', '1', '2', '2'],
    );
    await page
      .getByRole('heading', { level: 1, name: `${incident.number} Printer on floor 2 prints one page a minute` })
      .waitFor();
    await page.locator('dl.fields').filter({ hasText: '2 - High' }).waitFor();
    agent.assertNoErrors();
  } finally {
    await agent.close();
  }

  const callerBrowser = await connectedAs('abel.tuter');
  try {
    const page = await callerBrowser.openTicket(incident.sys_id);
    await page.getByRole('button', { name: en.ticket_add_comment }).waitFor();
    assert.equal(await editButton(page).count(), 0, 'a caller is not offered to edit fields');
    callerBrowser.assertNoErrors();
  } finally {
    await callerBrowser.close();
  }
});

test('a Zendesk agent renames a ticket and changes its priority; an end user may not', async () => {
  const { ticket } = await sandbox.zendesk.api('tickets.json', {
    method: 'POST',
    json: { ticket: { subject: 'Wifi slow', priority: 'normal', comment: { body: 'In room 4.' } } },
  });
  const agent = await connectedToZendesk('agent@example.com');
  try {
    const page = await agent.openTicket(String(ticket.id));
    await page.getByRole('heading', { level: 1, name: `#${ticket.id} Wifi slow` }).waitFor();
    await editButton(page).click();
    const form = editForm(page);
    const subject = form.getByLabel(en.ticket_subject_label);
    assert.equal(await subject.inputValue(), 'Wifi slow');
    assert.equal(await form.getByLabel(en.ticket_priority_label).inputValue(), 'normal');
    await subject.fill('Wifi drops in room 4');
    await form.getByLabel(en.ticket_priority_label).selectOption('urgent');
    await checkEveryTheme(page, 'detail-zendesk-edit', { surface: 'ticket' });
    await form.getByRole('button', { name: en.ticket_edit_save }).click();
    await page.getByRole('status').filter({ hasText: en.ticket_edit_saved.replace('$1', `#${ticket.id}`) }).waitFor();
    const { ticket: saved } = await sandbox.zendesk.api(`tickets/${ticket.id}.json`);
    assert.deepEqual([saved.subject, saved.priority], ['Wifi drops in room 4', 'urgent']);
    await page.getByRole('heading', { level: 1, name: `#${ticket.id} Wifi drops in room 4` }).waitFor();
    agent.assertNoErrors();
  } finally {
    await agent.close();
  }

  // An end user reaches no ticket through the Tickets API; the page says so and offers nothing.
  const endUser = await connectedToZendesk('user@example.com');
  try {
    const page = await endUser.openTicket(String(ticket.id));
    await page.getByRole('alert').waitFor();
    assert.equal(await editButton(page).count(), 0, 'an end user is not offered to edit fields');
  } finally {
    await endUser.close();
  }
});

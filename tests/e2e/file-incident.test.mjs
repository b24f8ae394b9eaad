// End to end: connect the popup to a fresh sandbox by typing the instance's short name, as users
// do, over https to https://acme.service-now.com; file an incident, find it in "My incidents".
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

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

test('a user connects, files an incident from a page, and sees it in My incidents', async () => {
  // The page the user is on when they open Flare.
  const page = await browser.newPage();
  await page.goto(`${sandbox.url}/`);
  const pageTitle = await page.title();

  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'wrong-password' });
  await popup.testConnection();
  await popup.alert().filter({ hasText: 'did not accept this user name and password' }).waitFor();
  assert.equal(await popup.page.getByLabel('Instance address').inputValue(), 'acme', 'the form keeps what was typed');

  await popup.page.getByLabel('Password').fill('abel.tuter');
  await popup.testConnection();
  await popup.status().filter({ hasText: 'Connection works' }).waitFor();
  assert.match(await popup.status().textContent(), /signed in to acme\.service-now\.com as Abel Tuter/);
  await popup.save();

  await popup.shortDescription().waitFor();
  await popup.page.waitForFunction(() => document.querySelector('textarea[name=page_details]')?.value.includes('Page:'));
  assert.equal(await popup.shortDescription().inputValue(), pageTitle, 'the title comes from the page');
  assert.match(await popup.pageDetails().inputValue(), new RegExp(`^Page: ${sandbox.url}/\nTitle: `), 'the URL comes from the page');
  assert.match(await popup.pageDetails().inputValue(), /\nBrowser: Chrome \d+ on Linux\nWindow: \d+ × \d+\nLanguage: en-US; time zone: /);

  await popup.shortDescription().fill('VPN drops every few minutes');
  await popup.choose('Urgency', '1 - High');
  await popup.choose('Impact', '2 - Medium');
  assert.equal(await popup.page.locator('output[name=priority]').textContent(), '2 - High', 'priority is shown before submit');
  await popup.createIncident();

  const created = popup.status().filter({ hasText: 'Created' });
  await created.waitFor();
  const number = (await created.getByRole('link').textContent()).trim();
  assert.match(number, /^INC\d{7}$/);
  await popup.page.screenshot({ path: path.join(artifacts, 'popup-incident-created.png') });

  // The record, as the instance itself has it.
  const [caller] = await sandbox.table('sys_user', { sysparm_query: 'user_name=abel.tuter' });
  const [incident] = await sandbox.table('incident', {
    sysparm_query: `number=${number}`,
    sysparm_exclude_reference_link: 'true',
  });
  assert.ok(incident, `incident ${number} exists on the instance`);
  assert.equal(incident.short_description, 'VPN drops every few minutes');
  assert.match(incident.description, new RegExp(`Page: ${sandbox.url}/`));
  assert.equal(incident.urgency, '1');
  assert.equal(incident.impact, '2');
  assert.equal(incident.priority, '2');
  assert.equal(incident.state, '1');
  assert.equal(incident.caller_id, caller.sys_id, 'the caller is the signed-in user');
  const link = await created.getByRole('link').getAttribute('href');
  assert.equal(link, `${sandbox.url}/incident.do?sys_id=${incident.sys_id}`);

  await popup.tab('My incidents').click();
  const row = popup.incidentList().getByRole('listitem').filter({ hasText: number });
  await row.waitFor();
  assert.match(await row.textContent(), /VPN drops every few minutes/);
  assert.match(await row.textContent(), /New/);
  assert.match(await row.textContent(), /Updated /);
  await popup.page.screenshot({ path: path.join(artifacts, 'popup-my-incidents.png') });

  browser.assertNoErrors();
});

test('what the user typed survives closing the popup', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.shortDescription().waitFor();
  await popup.shortDescription().fill('Half-written report');
  await popup.page.waitForFunction(async () => {
    const { 'draft:incident': draft } = await chrome.storage.local.get('draft:incident');
    return draft?.short_description === 'Half-written report';
  });
  await popup.page.close();

  const reopened = new PopupPage(await browser.openPopup());
  await reopened.page.waitForFunction(
    () => document.querySelector('input[name=short_description]')?.value === 'Half-written report',
  );
  browser.assertNoErrors();
});

test('a connection dropped after the instance saved the incident files it exactly once', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.shortDescription().waitFor();
  await popup.page.waitForFunction(() => document.querySelector('textarea[name=page_details]')?.value.includes('Page:'));
  await popup.shortDescription().fill('Badge reader at door 3 is dead');
  // The instance commits the record, then the connection breaks before the reply arrives.
  await sandbox.fault({ kind: 'drop_after_commit', count: 1 });
  await popup.createIncident();

  const created = popup.status().filter({ hasText: 'Created' });
  await created.waitFor();
  const number = (await created.getByRole('link').textContent()).trim();
  const matching = await sandbox.table('incident', { sysparm_query: 'short_description=Badge reader at door 3 is dead' });
  assert.deepEqual(matching.map((incident) => incident.number), [number], 'one record, the one the popup shows');
  browser.assertNoErrors();
});

test('a user asks for something: a request for them, with the page details', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.shortDescription().waitFor();
  await popup.page.getByRole('radio', { name: popup.words.kind_request }).check();
  assert.equal(await popup.page.getByLabel(popup.words.incident_urgency_label).count(), 0, 'a request has no urgency');
  await popup.shortDescription().fill('A second monitor for my desk');
  await popup.description().fill('27 inch, if possible.');
  await popup.page.getByRole('button', { name: popup.words.request_create }).click();
  const created = popup.status().filter({ hasText: 'Created' });
  await created.waitFor();
  const number = (await created.getByRole('link').textContent()).trim();
  assert.match(number, /^REQ\d{7}$/);

  const [abel] = await sandbox.table('sys_user', { sysparm_query: 'user_name=abel.tuter' });
  const [request] = await sandbox.table('sc_request', { sysparm_query: `number=${number}`, sysparm_exclude_reference_link: 'true' });
  assert.equal(request.short_description, 'A second monitor for my desk');
  assert.match(request.description, /^27 inch, if possible\.\n\nPage: /);
  assert.equal(request.requested_for, abel.sys_id, 'for the signed-in user');
  // The next report starts as the same kind.
  assert.ok(await popup.page.getByRole('radio', { name: popup.words.kind_request }).isChecked());
  browser.assertNoErrors();
});

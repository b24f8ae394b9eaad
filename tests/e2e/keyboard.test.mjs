// A keyboard user connects and files an incident: Tab, typing, Enter, Space and the arrow keys,
// never a click.
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

test('a user connects and files an incident with the keyboard only', async () => {
  await (await browser.newPage()).goto(`${sandbox.url}/`);
  const popup = new PopupPage(await browser.openPopup());
  const { keyboard } = popup.page;
  const label = (words) => popup.page.getByLabel(words);

  await popup.tabTo(label(popup.words.connect_instance_label));
  // The full address, scheme and all, as pasted from the address bar.
  await keyboard.type('https://acme.service-now.com');
  await popup.tabTo(label(popup.words.connect_username_label), 2);
  await keyboard.type('abel.tuter');
  await popup.tabTo(label(popup.words.connect_password_label), 1);
  await keyboard.type('abel.tuter');
  // Enter in a field submits the form: test the connection, then save it.
  await keyboard.press('Enter');

  await popup.shortDescription().waitFor();
  await popup.page.waitForFunction(() => document.querySelector('textarea[name=page_details]')?.value.includes('Page:'));
  await popup.tabTo(popup.shortDescription());
  await keyboard.press('ControlOrMeta+A');
  await keyboard.type('Projector in room 4 shows no signal');
  await popup.tabTo(label(popup.words.incident_urgency_label), 2);
  await keyboard.press('ArrowUp');
  assert.equal(await label(popup.words.incident_urgency_label).inputValue(), '1', 'urgency 1 - High');
  // Past impact, the page details, the button that leaves them out and the screenshot's.
  await popup.tabTo(popup.page.getByRole('button', { name: popup.words.incident_create }), 5);
  // Where the focus is must be plain to see.
  await popup.page.screenshot({ path: path.join(artifacts, 'popup-keyboard-focus.png') });
  await keyboard.press('Space');

  await popup.createdIncident().waitFor();
  const number = (await popup.createdIncident().textContent()).trim();
  const [incident] = await sandbox.table('incident', {
    sysparm_query: `number=${number}`,
    sysparm_exclude_reference_link: 'true',
  });
  assert.equal(incident?.short_description, 'Projector in room 4 shows no signal');
  assert.equal(incident.urgency, '1');

  // And finds it in My incidents.
  await popup.tabTo(popup.tab(popup.words.view_my_incidents), 20);
  await keyboard.press('Enter');
  await popup.incidentList().getByRole('listitem').filter({ hasText: number }).waitFor();
  browser.assertNoErrors();
});

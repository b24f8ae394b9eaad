// End to end: an administrator deploys a connection through a real Chromium policy file
// (/etc/chromium/policies/managed/, read through chrome.storage.managed). On first run the popup
// offers it, the user signs in as themselves, and it files with the organisation's template; the
// options page marks it as set up by the organisation, keeps its templates read-only, offers no
// way to remove it, and names the policy entry it could not use.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { OptionsPage } from './support/options-page.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const policy = {
  connections: [
    {
      id: 'acme-it',
      name: 'Acme IT',
      service: 'servicenow',
      instance: 'acme',
      sign_in: 'password',
      default: true,
      templates: [{ name: 'Acme hardware', fixed: { category: 'hardware', urgency: '1' } }],
      fallback_template: 'Acme hardware',
      locked_fields: ['category'],
    },
    { id: 'typo', service: 'servicenow', instance: 'acme', sign_in: 'oauth' },
  ],
};

let sandbox;
let browser;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
  browser = await launchExtension({ sandbox, policy });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('a deployed connection is offered on first run and files with its template', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.page.getByText('Your organisation set up Acme IT for you. Sign in to start.').waitFor();
  assert.equal(
    await popup.page.getByLabel(popup.words.connect_instance_label).inputValue(),
    'https://acme.service-now.com',
    'the address is the one the organisation set',
  );
  await checkEveryTheme(popup.page, 'managed-first-run');
  await popup.page.getByLabel(popup.words.connect_username_label).fill('abel.tuter');
  await popup.page.getByLabel(popup.words.connect_password_label).fill('abel.tuter');
  await popup.save();
  await popup.shortDescription().waitFor();
  await popup.page.getByText('Template: Acme hardware').waitFor();
  assert.equal(await popup.page.getByLabel('Urgency').inputValue(), '1', 'the template fixes the urgency');

  await popup.shortDescription().fill('Docking station does not charge');
  await popup.createIncident();
  const created = popup.status().filter({ hasText: 'Created' });
  await created.waitFor();
  const number = (await created.getByRole('link').textContent()).trim();
  const [incident] = await sandbox.table('incident', { sysparm_query: `number=${number}`, sysparm_fields: 'category,urgency' });
  assert.deepEqual(incident, { category: 'hardware', urgency: '1' });
  browser.assertNoErrors();
});

test('the options page marks it, cannot remove it, and names the entry it could not use', async () => {
  const page = await browser.openOptions();
  const settings = new OptionsPage(page);
  const card = settings.connection('Acme IT');
  await card.getByText(settings.words.options_connection_managed).waitFor();
  assert.equal(await settings.button(card, 'options_connection_remove').count(), 0, 'no way to remove it');
  assert.equal(await settings.button(card, 'options_connection_rename').count(), 0, 'its name is the organisation’s');
  await page.getByRole('alert').filter({ hasText: 'typo: sign_in oauth needs a client_id' }).waitFor();
  await settings.templates().getByText(settings.words.templates_managed).waitFor();
  assert.equal(await settings.templates().getByLabel(settings.words.templates_name_label).isDisabled(), true);
  await checkEveryTheme(page, 'managed', { surface: 'options' });

  // Signing out leaves it listed, to sign in again.
  await settings.button(card, 'options_connection_sign_out').click();
  await card.getByText('acme.service-now.com, set up by your organisation: sign in to use it').waitFor();
  await settings.button(card, 'options_connection_sign_in').waitFor();
  browser.assertNoErrors();
});

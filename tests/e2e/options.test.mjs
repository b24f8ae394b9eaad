// End to end: the options page manages the connections the popup uses, and its settings reach
// every surface. Screenshots: test-results/options-<view>-<theme>.png.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { OptionsPage } from './support/options-page.mjs';
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

async function connectInPopup(popup, username) {
  await popup.connect({ instance: 'acme', username, password: username });
  await popup.save();
  await popup.shortDescription().waitFor();
}

test('the popup opens the options page, which renames, tests, makes default and removes connections', async () => {
  const popup = new PopupPage(await browser.openPopup());
  const optionsOpened = browser.context.waitForEvent('page', {
    predicate: (opened) => opened.url().endsWith('/options.html'),
  });
  await popup.page.getByRole('button', { name: popup.words.popup_settings }).click();
  const options = new OptionsPage(await optionsOpened);
  await options.page.getByRole('heading', { name: options.words.options_connections_heading }).waitFor();
  await options.page.getByText(options.words.options_no_connections).waitFor();
  await options.page.close();

  await connectInPopup(popup, 'abel.tuter');
  await popup.page.getByRole('button', { name: popup.words.account_add }).click();
  await connectInPopup(popup, 'itil');

  const page = await browser.openOptions();
  const settings = new OptionsPage(page);
  const host = new URL(sandbox.url).hostname;
  const abel = `${host} (Abel Tuter)`;
  const beth = `${host} (Beth Anglin)`;
  // The first connection keeps the host as its name; the second one, to the same instance, is
  // told apart by its user.
  await settings.connection(host).waitFor();
  await settings.connection(beth).waitFor();
  assert.equal(await settings.connections().count(), 2);
  await settings.connection(beth).getByText(settings.words.options_connection_default).waitFor();
  await checkEveryTheme(page, 'connections', { surface: 'options' });

  await settings.rename(host, 'Acme IT');
  await settings.button(settings.connection('Acme IT'), 'options_connection_make_default').click();
  await settings.connection('Acme IT').getByText(settings.words.options_connection_default).waitFor();

  await settings.button(settings.connection('Acme IT'), 'options_connection_check').click();
  await settings.connection('Acme IT').getByRole('status').filter({ hasText: 'It works: signed in as Abel Tuter.' }).waitFor();

  // The popup opens with the new default, under its new name.
  const reopened = new PopupPage(await browser.openPopup());
  await reopened.page.getByRole('combobox', { name: reopened.words.account_connection_label }).waitFor();
  assert.equal(
    await reopened.page.locator('#connection-switcher option:checked').textContent(),
    'Acme IT',
  );
  assert.match(await reopened.page.locator('.account').textContent(), /as Abel Tuter/);
  await reopened.page.close();

  const bethCard = settings.connection(beth);
  await settings.button(bethCard, 'options_connection_remove').click();
  await bethCard.getByText(`Remove ${beth}?`).waitFor();
  await checkEveryTheme(page, 'remove-connection', { surface: 'options' });
  await settings.button(bethCard, 'options_connection_remove').click();
  await bethCard.waitFor({ state: 'detached' });
  assert.equal(await settings.connections().count(), 1);
  const stored = await page.evaluate(() => chrome.storage.local.get('connections'));
  assert.deepEqual(stored.connections.connections.map((saved) => saved.name), ['Acme IT']);
  browser.assertNoErrors();
});

test('the chosen appearance applies to the options page and the popup', async () => {
  const page = await browser.openOptions();
  const settings = new OptionsPage(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await settings.appearance('appearance_dark').check();
  await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(24, 24, 27)');
  await page.screenshot({ path: `${artifacts}/options-dark-chosen.png`, fullPage: true });

  const popup = await browser.openPopup();
  await popup.emulateMedia({ colorScheme: 'light' });
  await popup.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
  assert.equal(await popup.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(24, 24, 27)');
  await popup.close();

  await settings.appearance('appearance_system').check();
  await page.waitForFunction(() => getComputedStyle(document.body).backgroundColor === 'rgb(255, 255, 255)');
  const stored = await page.evaluate(() => chrome.storage.local.get('settings:appearance'));
  assert.equal(stored['settings:appearance'], 'system');
  browser.assertNoErrors();
});

test('privacy choices are kept', async () => {
  const page = await browser.openOptions();
  const settings = new OptionsPage(page);
  const consoleErrors = page.getByRole('checkbox', { name: settings.words.privacy_console_errors });
  const pageUrl = page.getByRole('checkbox', { name: settings.words.privacy_page_url });
  assert.equal(await consoleErrors.isChecked(), false, 'console errors are off until the user opts in');
  await pageUrl.waitFor();
  await page.waitForFunction(() => !document.querySelector('input[name=page_url]').closest('fieldset').disabled);
  assert.equal(await pageUrl.isChecked(), true);
  await pageUrl.uncheck();
  await page.waitForFunction(async () => (await chrome.storage.local.get('settings:privacy'))['settings:privacy']?.page_url === false);
  await page.reload();
  await page.waitForFunction(() => !document.querySelector('input[name=page_url]').closest('fieldset').disabled);
  assert.equal(await pageUrl.isChecked(), false, 'the choice survives a reload');
  await pageUrl.check();
  await page.waitForFunction(async () => (await chrome.storage.local.get('settings:privacy'))['settings:privacy']?.page_url === true);
  browser.assertNoErrors();
});

/** Files what the popup's form holds and returns the incident as the instance has it. */
async function fileAndRead(popup, title) {
  await popup.shortDescription().fill(title);
  await popup.createIncident();
  const created = popup.status().filter({ hasText: 'Created' });
  await created.waitFor();
  const number = (await created.getByRole('link').textContent()).trim();
  const [incident] = await sandbox.table('incident', {
    sysparm_query: `number=${number}`,
    sysparm_fields: 'number,category,description,short_description',
  });
  return incident;
}

test('a template edited on the options page is the one the popup files with', async () => {
  const page = await browser.openOptions();
  const settings = new OptionsPage(page);
  const templates = settings.templates();
  await templates.getByRole('button', { name: settings.words.templates_add }).click();
  await templates.getByLabel(settings.words.templates_name_label).fill('Acme pages');
  await templates.getByLabel(settings.words.templates_url_label).fill('https://acme.service-now.com/*');
  await templates.getByLabel(settings.words.templates_description_label, { exact: true }).fill('{description}\nSeen on {page_url}');
  await templates.getByRole('button', { name: settings.words.templates_fixed_add }).click();
  // A new template starts as a copy of the first, with its three fixed values; this is the fourth.
  await templates.getByLabel('Field 4', { exact: true }).fill('category');
  await templates.getByLabel('Value 4', { exact: true }).fill('network');
  // The template is tried after the default one, which matches every page: move it first.
  await templates.getByRole('button', { name: settings.words.templates_move_up }).click();
  await checkEveryTheme(page, 'templates', { surface: 'options' });
  await templates.getByRole('button', { name: settings.words.templates_save }).click();
  await templates.getByRole('status').filter({ hasText: settings.words.templates_saved }).waitFor();

  // The earlier tests' popups left a draft, which a popup keeps until it is filed; this report
  // starts afresh.
  await page.evaluate(() => chrome.storage.local.remove('draft:incident'));
  // The user is on one of the instance's pages when they open Flare.
  const onInstance = await browser.newPage();
  await onInstance.goto(`${sandbox.url}/`);
  const popup = new PopupPage(await browser.openPopup());
  await popup.shortDescription().waitFor();
  console.log('DEBUG', await popup.page.locator('main').innerText(), JSON.stringify(await popup.page.evaluate(() => chrome.storage.local.get(null))));
  await popup.page.getByText('Template: Acme pages').waitFor();
  assert.match(await popup.description().inputValue(), /^Seen on https:\/\/acme\.service-now\.com\/\n$/);
  const incident = await fileAndRead(popup, 'Printer on floor 3 is offline');
  assert.equal(incident.category, 'network', "the template's fixed value is filed");
  assert.match(incident.description, /Seen on https:\/\/acme\.service-now\.com\//);
  await popup.page.close();
  await onInstance.close();
  browser.assertNoErrors();
});

test('signing out keeps the connection and its templates for signing in again', async () => {
  const page = await browser.openOptions();
  const settings = new OptionsPage(page);
  const card = settings.connection('Acme IT');
  await settings.button(card, 'options_connection_sign_out').click();
  await card.getByText('acme.service-now.com, signed out').waitFor();
  const stored = await page.evaluate(() => chrome.storage.local.get('connections'));
  assert.equal(stored.connections.connections.length, 0, 'no credentials are kept');
  assert.equal(JSON.stringify(stored).includes('abel.tuter"'), true, 'the user name is kept to sign in again');

  await settings.button(card, 'options_connection_sign_in').click();
  await page.getByRole('heading', { name: 'Sign in to Acme IT' }).waitFor();
  assert.equal(await page.getByLabel(settings.words.connect_username_label).inputValue(), 'abel.tuter');
  await page.getByLabel(settings.words.connect_password_label).fill('abel.tuter');
  await page.getByRole('button', { name: settings.words.connect_save }).click();
  await settings.connection('Acme IT').getByText('signed in as Abel Tuter').waitFor();

  // The templates came back with the connection.
  const popup = new PopupPage(await browser.openPopup());
  await popup.shortDescription().waitFor();
  await popup.page.getByText(/^Template: /).waitFor();
  await popup.page.close();
  const templates = await page.evaluate(() => chrome.storage.local.get(null));
  const templateKeys = Object.keys(templates).filter((key) => key.startsWith('templates:'));
  assert.equal(templateKeys.length, 1);
  assert.ok(templates[templateKeys[0]].templates.some((template) => template.name === 'Acme pages'));
  browser.assertNoErrors();
});

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
  browser.assertNoErrors();
});

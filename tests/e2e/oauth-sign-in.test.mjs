// End to end: a user picks "ServiceNow sign-in (OAuth)" in the popup; the background worker opens
// the sandbox's consent page (chrome.identity.launchWebAuthFlow, PKCE S256, state checked), and the
// popup then works with the access token it saved.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { launchExtension } from './support/browser.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchExtension({ sandbox });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('a user enrolled in multi-factor authentication is told to use the sign-in page', async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: 'fred.luddy', password: 'fred.luddy' });
  await popup.testConnection();
  await popup.alert().filter({ hasText: popup.words.error_mfa_required }).waitFor();
  await popup.page.close();
  browser.assertNoErrors();
});

test('a user signs in with OAuth through the consent page', async () => {
  const page = await browser.openPopup();
  const popup = new PopupPage(page);
  const consentOpened = browser.context.waitForEvent('page', {
    predicate: (opened) => opened.url().startsWith('https://acme.service-now.com/oauth_auth.do?'),
  });
  await popup.fillOAuth({ instance: 'acme.service-now.com', clientId: 'flare' });
  await checkEveryTheme(page, 'connect-oauth');
  await popup.signIn();
  const consent = await consentOpened;
  const authorize = new URL(consent.url());
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('state'), 'the request carries a state');
  assert.match(authorize.searchParams.get('redirect_uri'), /^https:\/\/[a-p]{32}\.chromiumapp\.org\/$/);
  await consent.getByLabel('User name').fill('abel.tuter');
  await consent.getByLabel('Password').fill('abel.tuter');
  await consent.getByRole('button', { name: 'Allow' }).click();

  // The popup opens the signed-in view (a real popup would have closed; reopened, it finds it).
  await page.getByText('Abel Tuter').first().waitFor();
  const stored = await page.evaluate(() => chrome.storage.local.get(null));
  const [saved] = stored.connections.connections;
  assert.equal(saved.connection.credentials.kind, 'bearer');
  assert.equal(saved.connection.oauth.client.client_id, 'flare');
  assert.ok(saved.connection.oauth.tokens.refresh_token, 'a refresh token is kept for later');
  assert.ok(!('password' in saved.connection.credentials), 'no password is stored');
  assert.equal(stored['draft:connect'], undefined, 'the connect draft is done with');

  // Reopened, the popup is signed in, and the token reads the user's incidents.
  await page.reload();
  await page.getByText('Abel Tuter').first().waitFor();
  await popup.tab('My incidents').click();
  await popup.incidentList().getByRole('listitem').first().waitFor();
  browser.assertNoErrors();
});

test('an access token that runs out is renewed without the user noticing', async () => {
  const page = await browser.openPopup();
  const popup = new PopupPage(page);
  const accessToken = async () =>
    (await page.evaluate(() => chrome.storage.local.get('connections'))).connections.connections[0].connection.credentials
      .access_token;
  const before = await accessToken();
  await sandbox.oauth('expire-tokens');

  await popup.tab('My incidents').click();
  await popup.incidentList().getByRole('listitem').first().waitFor();
  assert.equal(await popup.alert().count(), 0, 'no error was shown');
  assert.notEqual(await accessToken(), before, 'the renewed token is saved');
  browser.assertNoErrors();
});

test('a revoked sign-in asks to sign in again and keeps the draft', async () => {
  const page = await browser.openPopup();
  const popup = new PopupPage(page);
  // Playwright's fill waits until the form is unlocked (its draft loaded).
  await popup.shortDescription().fill('Printer queue stuck since the update');
  await sandbox.oauth('revoke-tokens');
  await popup.createIncident();

  await popup.alert().filter({ hasText: popup.words.error_sign_in_again }).waitFor();
  assert.equal(await popup.shortDescription().inputValue(), 'Printer queue stuck since the update');
  const { 'draft:incident': draft } = await page.evaluate(() => chrome.storage.local.get('draft:incident'));
  assert.equal(draft.short_description, 'Printer queue stuck since the update', 'the draft survives');
  const filed = await sandbox.table('incident', { sysparm_query: 'short_description=Printer queue stuck since the update' });
  assert.deepEqual(filed, [], 'nothing was filed');
  browser.assertNoErrors();
});

test('two connections side by side: add one, switch in one choice, and back', async () => {
  const page = await browser.openPopup();
  const popup = new PopupPage(page);
  await page.getByRole('button', { name: popup.words.account_add }).click();
  // Another user of the same instance, signed in with a password this time.
  await popup.connect({ instance: 'https://acme.service-now.com', username: 'itil', password: 'itil' });
  await popup.save();
  const switcher = page.getByLabel(popup.words.account_connection_label);
  await switcher.waitFor();
  await page.locator('.account').filter({ hasText: 'Beth Anglin' }).waitFor();
  const names = await switcher.locator('option').allTextContents();
  assert.deepEqual(
    names,
    ['acme.service-now.com', 'acme.service-now.com (Beth Anglin)'],
    'two users of one instance are told apart',
  );
  await checkEveryTheme(page, 'account-switcher');

  // Back to the first connection in one choice; the popup remembers it.
  const [first] = (await page.evaluate(() => chrome.storage.local.get('connections'))).connections.connections;
  await switcher.selectOption(first.id);
  await page.locator('.account').filter({ hasText: 'Abel Tuter' }).waitFor();
  await page.reload();
  await page.locator('.account').filter({ hasText: 'Abel Tuter' }).waitFor();
  browser.assertNoErrors();
});

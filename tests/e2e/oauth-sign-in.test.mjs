// End to end: the background worker signs in to the sandbox through its OAuth consent page
// (chrome.identity.launchWebAuthFlow, PKCE S256, state checked), and the popup then works with the
// access token it saved.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchExtension } from './support/browser.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

let sandbox;
let browser;

before(async () => {
  sandbox = await startSandbox();
  browser = await launchExtension();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('the background worker signs in with OAuth through the consent page', async () => {
  const page = await browser.openPopup();
  const consentOpened = browser.context.waitForEvent('page', {
    predicate: (opened) => opened.url().includes('/oauth_auth.do'),
  });
  // The connect form offers no OAuth sign-in yet; ask the worker the way it will.
  const reply = page.evaluate(
    (instance) => chrome.runtime.sendMessage({ type: 'sign_in_with_oauth', instance, client_id: 'flare', client_secret: null }),
    sandbox.url,
  );
  const consent = await consentOpened;
  const authorize = new URL(consent.url());
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('state'), 'the request carries a state');
  assert.match(authorize.searchParams.get('redirect_uri'), /^https:\/\/[a-p]{32}\.chromiumapp\.org\/$/);
  await consent.getByLabel('User name').fill('abel.tuter');
  await consent.getByLabel('Password').fill('abel.tuter');
  await consent.getByRole('button', { name: 'Allow' }).click();

  assert.deepEqual(await reply, { type: 'connected', host: '127.0.0.1', user_name: 'Abel Tuter' });
  const stored = await page.evaluate(() => chrome.storage.local.get(null));
  const [saved] = stored.connections.connections;
  assert.equal(saved.connection.credentials.kind, 'bearer');
  assert.equal(saved.connection.oauth.client.client_id, 'flare');
  assert.ok(saved.connection.oauth.tokens.refresh_token, 'a refresh token is kept for later');
  assert.doesNotMatch(JSON.stringify(stored), /abel\.tuter"?\s*,?\s*"password/, 'no password is stored');

  // The popup opens signed in, and the token reads the user's incidents.
  await page.reload();
  const popup = new PopupPage(page);
  await page.getByText('Abel Tuter').first().waitFor();
  await popup.tab('My incidents').click();
  await popup.incidentList().getByRole('listitem').first().waitFor();
  browser.assertNoErrors();
});

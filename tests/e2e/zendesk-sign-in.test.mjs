// End to end: a user connects the popup to a Zendesk account, as a new user would (typing `acme`
// or `acme.zendesk.com`, reached over https), with an e-mail address and API token and through the
// account's OAuth consent page, and files a ticket that the account then has once, requested by
// them. Screenshots of the connect form (ServiceNow and Zendesk, and an error under its field) in
// both themes go to test-results/.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

let sandbox;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.stop();
});

/** Picks Zendesk as the service desk, and optionally a sign-in method, by their labels. */
async function chooseZendesk(popup, method) {
  await popup.choose(popup.words.connect_provider_label, popup.words.connect_provider_zendesk);
  if (method) await popup.choose(popup.words.connect_method_label, method);
}

/** The one ticket the account has with `subject`, read through its API as the admin. */
async function theOneTicket(subject) {
  const { tickets } = await sandbox.zendesk.api('tickets.json?per_page=100');
  const matching = tickets.filter((ticket) => ticket.subject === subject);
  assert.equal(matching.length, 1, `one ticket "${subject}", not ${matching.length}`);
  return matching[0];
}

async function fileTicket(popup, subject) {
  const { page, words } = popup;
  await page.getByLabel(words.ticket_subject_label).fill(subject);
  await popup.choose(words.ticket_priority_label, words.zendesk_priority_high);
  await page.getByRole('button', { name: words.ticket_create }).click();
  await popup.createdIncident().waitFor();
  return (await popup.createdIncident().textContent()).trim();
}

test('a user connects with an e-mail address and API token and files a ticket', async () => {
  const browser = await launchExtension({ sandbox });
  try {
    await (await browser.newPage()).goto(`${sandbox.url}/`);
    const popup = new PopupPage(await browser.openPopup());
    const { page, words } = popup;
    await popup.page.getByLabel(words.connect_instance_label).waitFor();
    await checkEveryTheme(page, 'connect-servicenow');

    await chooseZendesk(popup);
    await page.getByRole('heading', { name: words.connect_heading_zendesk }).waitFor();
    await page.getByLabel(words.connect_zendesk_address_label).fill('acme');
    await page.getByLabel(words.connect_email_label).fill('agent@example.com');
    await page.getByLabel(words.connect_api_token_label).fill('not-the-token');
    await checkEveryTheme(page, 'connect-zendesk');

    // A refused token is said under the credentials, which are marked, and the focus goes there.
    await popup.testConnection();
    await popup.alert().filter({ hasText: words.error_unauthorized_api_token }).waitFor();
    const email = page.getByLabel(words.connect_email_label);
    await page.waitForFunction((element) => element === document.activeElement, await email.elementHandle());
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    const describedBy = await email.getAttribute('aria-describedby');
    assert.match(await page.locator(`#${describedBy}`).textContent(), /did not accept this email address and API token/);
    assert.equal(await page.getByLabel(words.connect_zendesk_address_label).getAttribute('aria-invalid'), null);
    await checkEveryTheme(page, 'connect-zendesk-error');

    await page.getByLabel(words.connect_api_token_label).fill('sandbox-token');
    await popup.save();
    await page.locator('.account').filter({ hasText: 'Aiden Agent' }).waitFor();
    await popup.tab(words.view_new_ticket).waitFor();

    const subject = 'Badge reader at door 3 rejects every badge';
    const reference = await fileTicket(popup, subject);
    const ticket = await theOneTicket(subject);
    assert.equal(reference, `#${ticket.id}`);
    assert.equal(await popup.createdIncident().getAttribute('href'), `https://acme.zendesk.com/agent/tickets/${ticket.id}`);
    assert.equal(ticket.priority, 'high');
    assert.match(ticket.description, new RegExp(`Page: ${sandbox.url}/`), 'the page it was filed from');
    const { user: requester } = await sandbox.zendesk.api(`users/${ticket.requester_id}.json`);
    assert.equal(requester.email, 'agent@example.com', 'the signed-in user asked');
    await checkEveryTheme(page, 'zendesk-ticket-created');

    await popup.tab(words.view_my_tickets).click();
    await page.getByRole('list', { name: words.view_my_tickets }).getByRole('listitem').filter({ hasText: reference }).waitFor();
    const stored = await page.evaluate(() => chrome.storage.local.get(null));
    const [saved] = stored.connections.connections;
    assert.equal(saved.connection.instance, 'https://acme.zendesk.com', 'reached as users type it');
    assert.equal(saved.connection.user.zendesk.email, 'agent@example.com');
    assert.equal(saved.connection.credentials.username, 'agent@example.com/token');
    assert.ok(!JSON.stringify(stored['draft:connect'] ?? {}).includes('sandbox-token'), 'no token in a draft');
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('a user signs in to Zendesk through its consent page and files a ticket', async () => {
  const browser = await launchExtension({ sandbox });
  try {
    const page = await browser.openPopup();
    const popup = new PopupPage(page);
    const { words } = popup;
    const consentOpened = browser.context.waitForEvent('page', {
      predicate: (opened) => opened.url().startsWith('https://acme.zendesk.com/oauth/authorizations/new?'),
    });
    await chooseZendesk(popup, words.connect_method_oauth_zendesk);
    await page.getByLabel(words.connect_zendesk_address_label).fill('acme.zendesk.com');
    await page.getByLabel(words.connect_client_id_label).fill('flare');
    await checkEveryTheme(page, 'connect-zendesk-oauth');
    await popup.signIn();

    const consent = await consentOpened;
    const authorize = new URL(consent.url());
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('scope'), 'read write');
    assert.equal(authorize.searchParams.get('client_id'), 'flare');
    assert.ok(authorize.searchParams.get('state'), 'the request carries a state');
    await consent.getByLabel('Email').fill('admin@example.com');
    await consent.getByLabel('Password').fill('sandbox-token');
    await consent.getByRole('button', { name: 'Allow' }).click();

    await page.locator('.account').filter({ hasText: 'Ada Admin' }).waitFor();
    const connection = async () =>
      (await page.evaluate(() => chrome.storage.local.get('connections'))).connections.connections[0].connection;
    const saved = await connection();
    assert.equal(saved.credentials.kind, 'bearer');
    assert.equal(saved.oauth.client.client_id, 'flare');
    assert.deepEqual(saved.oauth.client.scopes, ['read', 'write']);
    assert.ok(saved.oauth.tokens.refresh_token, 'a refresh token is kept for later');
    assert.equal(saved.user.zendesk.name, 'Ada Admin');

    const subject = 'Projector in room 4 shows no signal';
    await fileTicket(popup, subject);
    const ticket = await theOneTicket(subject);
    const { user: requester } = await sandbox.zendesk.api(`users/${ticket.requester_id}.json`);
    assert.equal(requester.email, 'admin@example.com');

    // An access token Zendesk no longer takes is renewed without the user noticing.
    await sandbox.zendesk.api('/sandbox/oauth/expire-tokens', { method: 'POST' });
    await page.reload();
    await popup.tab(words.view_my_tickets).click();
    await page.getByRole('list', { name: words.view_my_tickets }).getByRole('listitem').first().waitFor();
    assert.equal(await popup.alert().count(), 0, 'no error was shown');
    assert.notEqual((await connection()).credentials.access_token, saved.credentials.access_token, 'renewed and saved');
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

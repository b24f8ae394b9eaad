// The ground the other e2e tests stand on: Chromium reaches the sandbox's ServiceNow instance and
// Zendesk account by real names over https, trusting its certificate, and the tests' own calls to
// the sandbox (support/sandbox.mjs) reach both servers too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchExtension } from './support/browser.mjs';
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

test('Chromium reaches both servers by real names over https', async () => {
  const page = await browser.newPage();
  const home = await page.goto('https://acme.service-now.com/');
  assert.equal(home.status(), 200);
  assert.equal(await page.title(), 'Flare sandbox');
  // Links on the page name the host the browser asked for.
  assert.match(await page.textContent('main'), /https:\/\/acme\.service-now\.com\/api\/now\/table\/incident/);

  // Any account name under zendesk.com reaches the account; without credentials it refuses.
  const tickets = await page.goto('https://globex.zendesk.com/api/v2/tickets.json');
  assert.equal(tickets.status(), 401);
  assert.equal((await tickets.securityDetails())?.subjectName, 'Flare sandbox');
  await page.close();
  browser.assertNoErrors();
});

test('the tests call both servers as an admin', async () => {
  const [instance] = await sandbox.table('sys_user', { sysparm_query: 'user_name=admin' });
  assert.equal(instance.user_name, 'admin');

  const { user } = await sandbox.zendesk.api('users/me.json');
  assert.equal(user.email, 'admin@example.com');
  const { ticket } = await sandbox.zendesk.api('tickets.json', {
    method: 'POST',
    json: { ticket: { subject: 'Made by the test', comment: { body: 'Hello' } } },
  });
  assert.equal(ticket.url, `${sandbox.zendesk.url}/api/v2/tickets/${ticket.id}.json`);
  const { ticket: read } = await sandbox.zendesk.api(`tickets/${ticket.id}.json`);
  assert.equal(read.subject, 'Made by the test');
});

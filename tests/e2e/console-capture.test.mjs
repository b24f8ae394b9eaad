// End to end: console errors and failed requests, opt-in. With the opt-in off (the default) a page
// that throws gets no script and the report has no console block; after opting in on the options
// page the worker registers the capture script, and a page that throws an error carrying a planted
// secret, logs an Authorization header and makes a failed request shows all three in the report
// form with the secrets taken out (and the page's buffer is emptied: the draft holds them now); the
// filed incident's description (read through the sandbox's API) has none of them. Opting out
// unregisters the script. axe and screenshots in both themes.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage, enabled, words } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const en = words('en');
const SECRET = 'sk_live_51HcxQ2eZvKYlo2C0aBcDeFgHiJkLmNoP';
const QUERY_TOKEN = 'planted-query-token-7';
const BEARER = 'planted.bearer.value';
const EMAIL = 'jane.doe@example.com';

// A shop page that goes wrong three ways as it loads: a failed request, a console.error and an
// uncaught error, each carrying something secret.
const SHOP = `<!doctype html><title>Checkout</title><h1>Checkout</h1>
<script>
  fetch('/api/cart?token=${QUERY_TOKEN}&page=2');
  console.error('Retrying with Authorization: Bearer ${BEARER}');
  setTimeout(() => { throw new Error('Payment failed for ${EMAIL} with key ${SECRET}'); }, 0);
</script>`;

let sandbox;
let shop;
let shopUrl;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
  shop = http.createServer((request, response) => {
    if (request.url.startsWith('/api/')) {
      response.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"cart service down"}');
    } else {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(SHOP);
    }
  });
  await new Promise((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${shop.address().port}/checkout`;
});

after(async () => {
  await sandbox?.stop();
  await new Promise((resolve) => (shop ? shop.close(resolve) : resolve()));
});

/** The content scripts Flare has registered, as the worker sees them. */
async function registeredScripts(browser) {
  const [worker] = browser.context.serviceWorkers();
  return worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).map((script) => script.id));
}

/**
 * Opens the shop in a tab of its own (not watched for errors: it throws on purpose) and waits
 * until it has thrown; the popup then reports on it, the most recently used page.
 */
async function openShop(browser) {
  const page = await browser.context.newPage();
  const thrown = page.waitForEvent('pageerror');
  await page.goto(shopUrl);
  await thrown;
  return page;
}

/** The report form for the shop, from a fresh draft. */
async function reportForm(browser) {
  const [worker] = browser.context.serviceWorkers();
  await worker.evaluate(() => chrome.storage.local.remove('draft:incident'));
  const popup = new PopupPage(await browser.openPopup());
  await enabled(popup.shortDescription());
  await popup.page.waitForFunction(() => document.querySelector('#page-details')?.value.includes('/checkout'));
  return popup;
}

test('console errors are captured only after opting in, with secrets redacted', async () => {
  const browser = await launchExtension({ sandbox });
  try {
    const connect = new PopupPage(await browser.openPopup());
    await connect.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
    await connect.save();
    await connect.shortDescription().waitFor();
    await connect.page.close();

    // Off by default: nothing registered, nothing in the page, no block in the report.
    let shopPage = await openShop(browser);
    assert.deepEqual(await registeredScripts(browser), []);
    assert.equal(await shopPage.evaluate(() => Symbol.for('flare.console') in globalThis), false, 'nothing was injected');
    let popup = await reportForm(browser);
    assert.equal(await popup.page.getByLabel(en.incident_console_label).count(), 0, 'no console block without the opt-in');
    await popup.page.close();
    await shopPage.close();

    // Opting in registers the capture script.
    const options = await browser.openOptions();
    const consoleErrors = options.getByRole('checkbox', { name: en.privacy_console_errors });
    await enabled(consoleErrors);
    await consoleErrors.check();
    await options.waitForFunction(async () => (await chrome.storage.local.get('settings:privacy'))['settings:privacy']?.console_errors === true);
    assert.deepEqual(await registeredScripts(browser), ['flare-console']);
    assert.equal(await consoleErrors.isChecked(), true);

    shopPage = await openShop(browser);
    await shopPage.waitForFunction(() => globalThis[Symbol.for('flare.console')]?.entries().length >= 3);
    popup = await reportForm(browser);
    const block = popup.page.getByLabel(en.incident_console_label);
    await block.waitFor();
    const captured = await block.inputValue();
    assert.match(captured, new RegExp(`Failed request: GET ${shopUrl.replace('/checkout', '')}/api/cart\\?token=\\[redacted\\]&page=2 → 500`));
    assert.match(captured, /console\.error: Retrying with Authorization: \[redacted\]/);
    assert.match(captured, /Uncaught: Error: Payment failed for \[redacted\] with key \[redacted\]/);
    for (const secret of [SECRET, QUERY_TOKEN, BEARER, EMAIL]) {
      assert.ok(!captured.includes(secret), `the form never shows ${secret}`);
    }
    // Taken into the report's draft: the page keeps them no longer.
    assert.equal(await shopPage.evaluate(() => globalThis[Symbol.for('flare.console')].entries().length), 0);
    await checkEveryTheme(popup.page, 'console-block');

    await popup.shortDescription().fill('Checkout fails');
    await popup.createIncident();
    await popup.createdIncident().waitFor();
    const number = await popup.createdIncident().textContent();
    const [incident] = await sandbox.table('incident', { sysparm_query: `number=${number}` });
    assert.match(incident.description, /Failed request: GET .*token=\[redacted\]&page=2 → 500/);
    assert.match(incident.description, /Payment failed for \[redacted\] with key \[redacted\]/);
    for (const secret of [SECRET, QUERY_TOKEN, BEARER, EMAIL]) {
      assert.ok(!incident.description.includes(secret), `the record never holds ${secret}`);
    }
    await popup.page.close();
    await shopPage.close();

    // Opting out unregisters it.
    await consoleErrors.uncheck();
    await options.waitForFunction(async () => (await chrome.storage.local.get('settings:privacy'))['settings:privacy']?.console_errors === false);
    assert.deepEqual(await registeredScripts(browser), []);
    await checkEveryTheme(options, 'privacy', { surface: 'options' });
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

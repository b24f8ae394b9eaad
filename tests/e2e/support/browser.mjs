// Launches Debian's Chromium with the unpacked extension and a fresh profile.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const artifacts = path.join(root, 'test-results');
// Where Chromium on Linux reads mandatory policies (toolchain.md, "Managed storage from a real
// policy file works headless").
const policyDir = process.env.CHROMIUM_POLICY_DIR ?? '/etc/chromium/policies/managed';

/**
 * Loads the end-to-end build of the extension (`dist/e2e`, written by scripts/package.py) into
 * Chromium with a fresh profile. That build grants the sandbox's origins up front: Chromium shows
 * `permissions.request` as a browser dialog that headless tests cannot click, so the popup's
 * request then resolves at once. The shipped manifests keep every instance origin optional.
 *
 * `locale` is the browser's UI language, which `chrome.i18n.getUILanguage()` reports and the
 * popup speaks; English unless a test asks for another, whatever the machine's language is.
 *
 * `sandbox` (from sandbox.mjs) makes Chromium reach it by real names, as users do: every
 * `*.service-now.com` and `*.zendesk.com` host resolves to the sandbox's ports, and its
 * certificate, and only it, is trusted by its public key hash (toolchain.md, "Real instance
 * names over https work headless").
 *
 * `policy` is what an administrator deploys to Flare: it is written to a real Chromium policy file
 * for this extension's id before launch, which `chrome.storage.managed` then reads, and removed
 * on close. Policy files are read by every Chromium on the machine, so each names only this
 * build's id (fixed by its path).
 */
export async function launchExtension({ locale = 'en-US', sandbox, policy } = {}) {
  const workdir = await mkdtemp(path.join(os.tmpdir(), 'flare-e2e-'));
  const extensionDir = path.join(root, 'dist/e2e');
  const policyFile = policy && (await writePolicy(extensionDir, policy));

  const context = await chromium.launchPersistentContext(path.join(workdir, 'profile'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: false,
    viewport: { width: 420, height: 640 },
    locale,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      ...(sandbox ? sandboxFlags(sandbox) : []),
    ],
  });
  const extensionId = await checkExtensionLoaded(context, extensionDir);
  const errors = [];
  const watch = (page) => {
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // Chromium logs every 4xx/5xx fetch as "Failed to load resource"; the tests provoke those on purpose.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        errors.push(`console error: ${message.text()}`);
      }
    });
    return page;
  };
  return {
    context,
    extensionId,
    /** Opens the popup as a tab, failing the test on any page error or console error. */
    async openPopup() {
      const page = watch(await context.newPage());
      await page.goto(`chrome-extension://${extensionId}/popup.html`);
      return page;
    },
    /** Opens the options page as the browser does (a tab of its own), with the same checks. */
    async openOptions() {
      const page = watch(await context.newPage());
      // A tab, not a popup: as wide as a small laptop's browser window.
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.goto(`chrome-extension://${extensionId}/options.html`);
      return page;
    },
    /** Opens a ticket's detail page in a tab, as a notification does, with the same checks. */
    async openTicket(ticketId) {
      const page = watch(await context.newPage());
      await page.goto(`chrome-extension://${extensionId}/ticket.html?ticket=${encodeURIComponent(ticketId)}`);
      return page;
    },
    async newPage() {
      return watch(await context.newPage());
    },
    assertNoErrors() {
      assert.deepEqual(errors, [], 'the extension logged errors');
    },
    async close() {
      await context.close();
      await rm(workdir, { recursive: true, force: true });
      if (policyFile) await rm(policyFile, { force: true });
    },
  };
}

/** The Chromium flags that send real instance names to `sandbox` and trust its certificate. */
function sandboxFlags({ ports, spki }) {
  return [
    `--host-resolver-rules=MAP *.service-now.com 127.0.0.1:${ports.servicenow}, MAP *.zendesk.com 127.0.0.1:${ports.zendesk}`,
    `--ignore-certificate-errors-spki-list=${spki}`,
  ];
}

// The id Chromium gives an unpacked extension: sha256 of its absolute path, the first 32 hex digits
// mapped to a-p. Known before launch, so a policy can name it.
function extensionIdFor(extensionDir) {
  const hex = createHash('sha256').update(extensionDir).digest('hex').slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

async function writePolicy(extensionDir, values) {
  const id = extensionIdFor(extensionDir);
  await mkdir(policyDir, { recursive: true });
  const file = path.join(policyDir, `flare-e2e-${id}.json`);
  await writeFile(file, JSON.stringify({ '3rdparty': { extensions: { [id]: values } } }));
  return file;
}

async function checkExtensionLoaded(context, extensionDir) {
  const id = extensionIdFor(extensionDir);
  const probe = await context.newPage();
  await probe.goto(`chrome-extension://${id}/manifest.json`);
  const text = await probe.textContent('body');
  assert.match(text ?? '', /"manifest_version"/, `the extension did not load from ${extensionDir}`);
  await probe.close();
  return id;
}

// End to end: 200 reports filed through the popup while the instance fails 30% of the calls that
// file them (a 503, a 429 with Retry-After, or a connection dropped after the create committed),
// in a fixed pseudo-random order. Every report is filed exactly once: the instance holds 200
// incidents with those titles, each title once, whether the popup filed it at once or the
// outbox did later.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchExtension } from './support/browser.mjs';
import { PopupPage } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const REPORTS = 200;
const FAULT_SHARE = 0.3;
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

/** A small seeded generator (mulberry32), so every run meets the same faults. */
function seeded(seed) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FAULTS = [
  { kind: 'status', status: 503 },
  { kind: 'status', status: 429 },
  { kind: 'drop_after_commit' },
];

test('200 reports through 30% faults are 200 incidents, each filed once', { timeout: 15 * 60_000 }, async () => {
  const popup = new PopupPage(await browser.openPopup());
  await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
  await popup.save();
  await popup.shortDescription().waitFor();
  const random = seeded(20261207);
  const faulted = [];
  for (let report = 1; report <= REPORTS; report += 1) {
    const title = `Load report ${String(report).padStart(3, '0')}`;
    if (random() < FAULT_SHARE) {
      const fault = FAULTS[Math.floor(random() * FAULTS.length)];
      faulted.push(fault.kind === 'status' ? fault.status : fault.kind);
      await sandbox.fault({ ...fault, count: 1 });
    }
    await popup.shortDescription().fill(title);
    await popup.createIncident();
    // Filed, or handed to the outbox; either way the form is free again.
    await popup.page.waitForFunction(
      () => !document.querySelector('fieldset')?.disabled && document.querySelector('input[name=short_description]')?.value === '',
      undefined,
      { timeout: 60_000 },
    );
  }
  assert.ok(faulted.length > 40 && faulted.length < 80, `${faulted.length} of ${REPORTS} calls met a fault`);
  for (const kind of [503, 429, 'drop_after_commit']) {
    assert.ok(faulted.includes(kind), `some met ${kind}`);
  }

  // Whatever waits in the outbox is filed too, when the user says "send now".
  await sandbox.clearFaults();
  await popup.page.evaluate(() => chrome.runtime.sendMessage({ type: 'send_queued', now: true }));
  const states = await popup.page.evaluate(async () => {
    for (let tries = 0; tries < 600; tries += 1) {
      const { outbox } = await chrome.storage.local.get('outbox');
      const entries = outbox?.entries ?? [];
      // A filed entry's state is `{"filed": {...}}` (serde's external tag).
      if (entries.every((entry) => typeof entry.state === 'object' && 'filed' in entry.state)) return [];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return (await chrome.storage.local.get('outbox')).outbox.entries.map((entry) => JSON.stringify(entry.state));
  });
  assert.deepEqual(states, [], 'every queued report is filed');

  const incidents = await sandbox.table('incident', {
    sysparm_query: 'short_descriptionSTARTSWITHLoad report ',
    sysparm_fields: 'short_description',
    sysparm_limit: 1000,
  });
  const titles = incidents.map((incident) => incident.short_description).sort();
  const expected = Array.from({ length: REPORTS }, (_, idx) => `Load report ${String(idx + 1).padStart(3, '0')}`);
  const counts = new Map();
  for (const title of titles) counts.set(title, (counts.get(title) ?? 0) + 1);
  const twice = [...counts].filter(([, count]) => count > 1).map(([title]) => title);
  const missing = expected.filter((title) => !counts.has(title));
  assert.deepEqual({ twice, missing }, { twice: [], missing: [] }, 'each report once, none missing');
  assert.equal(titles.length, REPORTS);
  browser.assertNoErrors();
});

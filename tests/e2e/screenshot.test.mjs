// End to end: a screenshot of the page the user is on goes with their report. Flare captures the
// visible tab, the user hides a card number on it with a black box in the editor, and the incident
// gets the picture as an attachment; read back through the instance's Attachment API, the hidden
// area is uniformly black in the file's own pixels, and the rest of the page is still there. The
// same for a Zendesk ticket, cropped first to the part of the page that matters. Axe and screenshots of the editor and the form in both themes.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { checkEveryTheme } from './support/axe.mjs';
import { artifacts, launchExtension } from './support/browser.mjs';
import { PopupPage, words } from './support/popup-page.mjs';
import { startSandbox } from './support/sandbox.mjs';

const en = words('en');
let sandbox;

before(async () => {
  await mkdir(artifacts, { recursive: true });
  sandbox = await startSandbox();
});

after(async () => {
  await sandbox?.stop();
});

/** The box on the page holding the secret, in CSS pixels (the capture is at 1 device pixel each). */
const SECRET = { x: 20, y: 20, width: 360, height: 60 };

/** A page showing a card number in a box at SECRET, on a white page. */
async function pageWithSecret(browser) {
  const page = await browser.newPage();
  await page.goto(`${sandbox.url}/`);
  await page.evaluate((box) => {
    document.body.innerHTML = '';
    document.body.style.cssText = 'margin:0;background:#ffffff';
    const secret = document.createElement('div');
    secret.textContent = 'Card 4111 1111 1111 1111';
    secret.style.cssText = `position:absolute;left:${box.x}px;top:${box.y}px;width:${box.width}px;height:${box.height}px;background:#ffeb3b;color:#b71c1c;font:24px sans-serif;overflow:hidden`;
    document.body.append(secret);
  }, SECRET);
  return page;
}

/** The part of the page kept when a test crops: the top left, with the secret in it. */
const CROP = { width: 400, height: 300 };

/**
 * Takes the screenshot from the popup (opened as a tab, with the page in front, as the toolbar
 * popup sits over it), crops it to CROP first if asked, hides SECRET in the editor, saves, and
 * returns to the popup.
 */
async function screenshotHidingTheSecret(browser, page, popup, { crop = false } = {}) {
  const editorOpened = browser.context.waitForEvent('page', {
    predicate: (opened) => opened.url().endsWith('/screenshot.html'),
  });
  await page.bringToFront();
  await popup.page.getByRole('button', { name: en.screenshot_take }).click();
  const editor = await editorOpened;
  const canvas = editor.getByRole('img', { name: en.editor_canvas });
  await canvas.waitFor();
  // The canvas takes the picture's size once the picture is drawn.
  await editor.waitForFunction((width) => document.querySelector('canvas')?.width === width, page.viewportSize().width);
  const drag = async (from, to) => {
    // The canvas is shown scaled to fit; its pixels are the picture's.
    const size = await canvas.evaluate((element) => ({ width: element.width, height: element.height }));
    const shown = await canvas.boundingBox();
    const at = ([x, y]) => [shown.x + (x * shown.width) / size.width, shown.y + (y * shown.height) / size.height];
    await editor.mouse.move(...at(from));
    await editor.mouse.down();
    await editor.mouse.move(...at([(from[0] + to[0]) / 2, (from[1] + to[1]) / 2]), { steps: 4 });
    await editor.mouse.move(...at(to), { steps: 4 });
    await editor.mouse.up();
  };
  assert.ok(await editor.getByRole('radio', { name: en.editor_redact }).isChecked(), 'hiding is the first tool');
  if (crop) {
    await editor.getByRole('radio', { name: en.editor_crop }).check();
    await drag([0, 0], [CROP.width, CROP.height]);
    await editor.waitForFunction((width) => document.querySelector('canvas').width === width, CROP.width);
    await editor.getByRole('radio', { name: en.editor_redact }).check();
  }
  await drag([SECRET.x - 4, SECRET.y - 4], [SECRET.x + SECRET.width + 4, SECRET.y + SECRET.height + 4]);
  const blackAt = (x, y) =>
    editor.evaluate(([x, y]) => [...document.querySelector('canvas').getContext('2d').getImageData(x, y, 1, 1).data].join(','), [x, y]);
  assert.equal(await blackAt(SECRET.x + 10, SECRET.y + 10), '0,0,0,255', 'the editor shows the box at once');
  // And an arrow pointing at it, for good measure.
  await editor.getByRole('radio', { name: en.editor_arrow }).check();
  await drag([300, 280], [200, 120]);
  await editor.getByRole('button', { name: en.editor_save }).click();
  await editor.getByRole('status').filter({ hasText: en.editor_saved }).waitFor();
  await checkEveryTheme(editor, 'editor', { surface: 'screenshot' });
  await editor.close();
  await popup.page.reload();
  await popup.page.getByRole('img', { name: en.screenshot_alt }).waitFor();
}

/** Checks in a browser page that the PNG `bytes` is black over SECRET and not black elsewhere. */
async function checkRedacted(page, bytes) {
  const verdict = await page.evaluate(
    async ([base64, box]) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.naturalWidth;
      canvas.height = image.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const hidden = context.getImageData(box.x, box.y, box.width, box.height).data;
      const colours = new Set();
      for (let idx = 0; idx < hidden.length; idx += 4) colours.add(hidden.slice(idx, idx + 4).join(','));
      // Far from the box and the arrow, the white page.
      const below = context.getImageData(box.x, 200, 100, 20).data;
      return {
        size: [image.naturalWidth, image.naturalHeight],
        colours: [...colours],
        belowIsWhite: below.every((value) => value === 255),
      };
    },
    [bytes.toString('base64'), SECRET],
  );
  assert.deepEqual(verdict.colours, ['0,0,0,255'], 'the hidden area is one opaque black');
  assert.ok(verdict.belowIsWhite, 'the rest of the page is in the picture');
  return verdict;
}

test('a screenshot with a hidden card number goes with the incident, hidden in its pixels', async () => {
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    await popup.connect({ instance: 'acme', username: 'abel.tuter', password: 'abel.tuter' });
    await popup.save();
    await popup.shortDescription().waitFor();
    const page = await pageWithSecret(browser);
    await screenshotHidingTheSecret(browser, page, popup);
    await checkEveryTheme(popup.page, 'screenshot-attached');

    await popup.shortDescription().fill('Checkout shows my card number in full');
    await popup.createIncident();
    const number = (await popup.createdIncident().textContent()).trim();
    assert.equal(await popup.page.getByRole('img', { name: en.screenshot_alt }).count(), 0, 'sent, so gone from the form');
    const [incident] = await sandbox.table('incident', { sysparm_query: `number=${number}` });
    const attachments = await sandbox.api(`attachment?sysparm_query=table_sys_id=${incident.sys_id}`);
    assert.deepEqual(
      attachments.map((file) => [file.file_name, file.content_type, file.table_name]),
      [['screenshot.png', 'image/png', 'incident']],
    );
    await checkRedacted(page, await sandbox.attachmentBytes(attachments[0].sys_id));
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

test('a Zendesk ticket carries the cropped screenshot in its first comment, hidden in its pixels', async () => {
  const browser = await launchExtension({ sandbox });
  try {
    const popup = new PopupPage(await browser.openPopup());
    await popup.choose(en.connect_provider_label, en.connect_provider_zendesk);
    await popup.page.getByLabel(en.connect_zendesk_address_label).fill('acme');
    await popup.page.getByLabel(en.connect_email_label).fill('agent@example.com');
    await popup.page.getByLabel(en.connect_api_token_label).fill('sandbox-token');
    await popup.save();
    await popup.page.getByLabel(en.ticket_subject_label).waitFor();
    const page = await pageWithSecret(browser);
    await screenshotHidingTheSecret(browser, page, popup, { crop: true });

    await popup.page.getByLabel(en.ticket_subject_label).fill('Checkout shows my card number in full');
    await popup.page.getByRole('button', { name: en.ticket_create }).click();
    const reference = (await popup.createdIncident().textContent()).trim();
    const { comments } = await sandbox.zendesk.api(`tickets/${reference.slice(1)}/comments.json`);
    const files = comments[0].attachments;
    assert.deepEqual(files.map((file) => [file.file_name, file.content_type]), [['screenshot.png', 'image/png']]);
    const verdict = await checkRedacted(page, await sandbox.zendesk.bytes(new URL(files[0].content_url).pathname));
    // What the user dragged, to the pixel a pointer on a scaled canvas can hit.
    const [width, height] = verdict.size;
    assert.ok(Math.abs(width - CROP.width) <= 2 && Math.abs(height - CROP.height) <= 2, `cropped to ${verdict.size}`);
    browser.assertNoErrors();
  } finally {
    await browser.close();
  }
});

// Every popup view passes axe-core with no violations, in the light and the dark theme and in
// each language, and is screenshotted for a person to look at:
// test-results/popup-<view>-<theme>.png in English, popup-de-<view>-<theme>.png in German.
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

for (const { language, locale, prefix } of [
  { language: 'en', locale: 'en-US', prefix: '' },
  { language: 'de', locale: 'de-DE', prefix: 'de-' },
]) {
  test(`every popup view passes axe in the light and the dark theme (${locale})`, async () => {
    const browser = await launchExtension({ locale, sandbox });
    try {
      // The page the user is on, which the new-incident form describes.
      await (await browser.newPage()).goto(`${sandbox.url}/`);
      const popup = new PopupPage(await browser.openPopup(), language);
      await popup.connect({ instance: 'acme.service-now.com', username: 'abel.tuter', password: 'wrong-password' });
      await popup.testConnection();
      await popup.alert().filter({ hasText: popup.words.error_unauthorized }).waitFor();
      await checkEveryTheme(popup.page, `${prefix}connect`);

      await popup.page.getByLabel(popup.words.connect_password_label).fill('abel.tuter');
      await popup.save();
      await popup.shortDescription().waitFor();
      await popup.page.waitForFunction(() => document.querySelector('textarea[name=page_details]')?.value.length > 0);
      await checkEveryTheme(popup.page, `${prefix}new-incident`);

      await popup.shortDescription().fill('Printer on floor 2 jams on every job');
      await popup.createIncident();
      await popup.createdIncident().waitFor();
      await checkEveryTheme(popup.page, `${prefix}incident-created`);

      await popup.tab(popup.words.view_my_incidents).click();
      await popup.incidentList().getByRole('listitem').first().waitFor();
      await checkEveryTheme(popup.page, `${prefix}my-incidents`);

      browser.assertNoErrors();
    } finally {
      await browser.close();
    }
  });
}

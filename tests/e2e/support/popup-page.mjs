// The popup as a user sees it: every selector is written once, by role and accessible name, in
// the words of the popup's language (static/_locales/<language>/messages.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Each message of `language` by its key, e.g. `words('de').connect_save` is "Speichern". */
export function words(language) {
  const file = path.join(root, 'static/_locales', language, 'messages.json');
  const entries = JSON.parse(readFileSync(file, 'utf8'));
  return Object.fromEntries(Object.entries(entries).map(([key, entry]) => [key, entry.message]));
}

export class PopupPage {
  constructor(page, language = 'en') {
    this.page = page;
    this.words = words(language);
  }

  async connect({ instance, username, password }) {
    await this.page.getByLabel(this.words.connect_instance_label).fill(instance);
    await this.page.getByLabel(this.words.connect_username_label).fill(username);
    await this.page.getByLabel(this.words.connect_password_label).fill(password);
  }

  /** Fills the connect form for the instance's own sign-in page (OAuth). */
  async fillOAuth({ instance, clientId }) {
    await this.page
      .getByLabel(this.words.connect_method_label)
      .selectOption({ label: this.words.connect_method_oauth });
    await this.page.getByLabel(this.words.connect_instance_label).fill(instance);
    await this.page.getByLabel(this.words.connect_client_id_label).fill(clientId);
  }

  /** Starts the OAuth sign-in; the consent page opens in a window of its own. */
  signIn() {
    return this.page.getByRole('button', { name: this.words.connect_sign_in }).click();
  }

  testConnection() {
    return this.page.getByRole('button', { name: this.words.connect_test }).click();
  }

  save() {
    return this.page.getByRole('button', { name: this.words.connect_save }).click();
  }

  status() {
    return this.page.getByRole('status');
  }

  alert() {
    return this.page.getByRole('alert');
  }

  tab(name) {
    return this.page.getByRole('tab', { name });
  }

  shortDescription() {
    return this.page.getByLabel(this.words.incident_short_description_label);
  }

  description() {
    return this.page.getByLabel(this.words.incident_description_label, { exact: true });
  }

  pageDetails() {
    return this.page.getByLabel(this.words.incident_page_details_label);
  }

  async choose(label, optionLabel) {
    await this.page.getByLabel(label).selectOption({ label: optionLabel });
  }

  createIncident() {
    return this.page.getByRole('button', { name: this.words.incident_create }).click();
  }

  /** The link to the incident just filed, in the status that says it was created. */
  createdIncident() {
    return this.status().getByRole('link');
  }

  /**
   * Presses Tab until `target` has the focus, as a keyboard user moves through the popup; fails
   * if it is not reached within `maxPresses`.
   */
  async tabTo(target, maxPresses = 12) {
    await enabled(target);
    for (let n_presses = 0; n_presses < maxPresses; n_presses += 1) {
      if (await target.evaluate((element) => element === document.activeElement)) return;
      await this.page.keyboard.press('Tab');
    }
    if (await target.evaluate((element) => element === document.activeElement)) return;
    const focused = await this.page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
    throw new Error(`${maxPresses} presses of Tab did not reach ${target}; the focus is on ${focused}`);
  }

  incidentList() {
    return this.page.getByRole('list', { name: this.words.view_my_incidents });
  }
}

/** Waits until a form field or button takes input (forms stay locked until their draft is in). */
export async function enabled(target) {
  await target.waitFor();
  await target.page().waitForFunction((element) => !element.matches(':disabled'), await target.elementHandle());
}

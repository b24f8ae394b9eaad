// The options page as a user sees it, found by role and accessible name in the page's language.
import { words } from './popup-page.mjs';

export class OptionsPage {
  constructor(page, language = 'en') {
    this.page = page;
    this.words = words(language);
  }

  /** The card of the connection named `name`. */
  connection(name) {
    return this.page.getByRole('article', { name, exact: true });
  }

  connections() {
    return this.page.getByRole('region', { name: this.words.options_connections_heading }).getByRole('article');
  }

  button(within, key) {
    return within.getByRole('button', { name: this.words[key], exact: true });
  }

  async rename(name, newName) {
    const card = this.connection(name);
    await this.button(card, 'options_connection_rename').click();
    await card.getByLabel(this.words.options_connection_name_label).fill(newName);
    await this.button(card, 'options_connection_save_name').click();
    await this.connection(newName).waitFor();
  }

  templates() {
    return this.page.getByRole('region', { name: this.words.options_templates_heading });
  }

  appearance(key) {
    return this.page.getByRole('radio', { name: this.words[key] });
  }
}

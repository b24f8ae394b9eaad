// The popup as a user sees it: every selector is written once, by role and accessible name.
export class PopupPage {
  constructor(page) {
    this.page = page;
  }

  async connect({ instance, username, password }) {
    await this.page.getByLabel('Instance address').fill(instance);
    await this.page.getByLabel('User name').fill(username);
    await this.page.getByLabel('Password').fill(password);
  }

  testConnection() {
    return this.page.getByRole('button', { name: 'Test connection' }).click();
  }

  save() {
    return this.page.getByRole('button', { name: 'Save' }).click();
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
    return this.page.getByLabel('Short description');
  }

  description() {
    return this.page.getByLabel('Description', { exact: true });
  }

  async choose(label, optionLabel) {
    await this.page.getByLabel(label).selectOption({ label: optionLabel });
  }

  createIncident() {
    return this.page.getByRole('button', { name: 'Create incident' }).click();
  }

  incidentList() {
    return this.page.getByRole('list', { name: 'My incidents' });
  }
}

// Accessibility checks with axe-core, and the screenshots a person looks at, in both themes.
import assert from 'node:assert/strict';
import path from 'node:path';

import { AxeBuilder } from '@axe-core/playwright';

import { artifacts } from './browser.mjs';

export const THEMES = ['light', 'dark'];

/**
 * Runs axe on the page as it is now in each theme, fails on any violation, and saves
 * `test-results/<surface>-<view>-<theme>.png`. AxeBuilder injects axe through `page.evaluate`, which
 * the DevTools protocol runs whatever the extension page's CSP says. Leaves the page light.
 */
export async function checkEveryTheme(page, view, { surface = 'popup' } = {}) {
  for (const colorScheme of THEMES) {
    await page.emulateMedia({ colorScheme });
    // Wait until the theme is applied, not merely asked for.
    await page.waitForFunction(
      (scheme) => matchMedia(`(prefers-color-scheme: ${scheme})`).matches,
      colorScheme,
    );
    const results = await new AxeBuilder({ page }).analyze();
    assert.ok(results.passes.some((rule) => rule.id === 'color-contrast'), `axe checked ${view}'s contrast`);
    assert.deepEqual(results.violations.map(describe), [], `axe on ${view} (${colorScheme})`);
    await page.screenshot({ path: path.join(artifacts, `${surface}-${view}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

function describe(violation) {
  const where = violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary}`);
  return `${violation.id} (${violation.help})\n  ${where.join('\n  ')}`;
}

/**
 * The strict accessibility gate: axe-core with the same rule set as a11y.ts
 * (WCAG 2.1 A/AA and best practice), but every violation fails — minor and
 * moderate included — listed with its impact and the elements it was found
 * on. `include` narrows the check to a part of the page (a screen under test).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export async function expectNoA11yViolations(page: Page, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']);
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  expect(result.violations.map((v) => `${v.impact}: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
}

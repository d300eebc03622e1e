import { createRequire } from 'node:module';
import type { AxeResults, ImpactValue, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING: ImpactValue[] = ['serious', 'critical'];
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe-core's serious and critical WCAG 2.1 A/AA violations on the page as it is, one line each
 * (rule, then the elements). The page's context needs `bypassCSP: true`: axe is put in as a script.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) {
    await page.addScriptTag({ path: AXE_SCRIPT });
  }
  const options: RunOptions = { runOnly: { type: 'tag', values: WCAG_TAGS }, resultTypes: ['violations'] };
  const found = await page.evaluate(async (runOptions) => {
    // axe-core's script defines a global `axe`; its types describe the module, not the window.
    const { axe } = globalThis as unknown as { axe: { run: (o: RunOptions) => Promise<AxeResults> } };
    const results = await axe.run(runOptions);
    return results.violations.map((v) => ({
      impact: v.impact ?? null,
      text: `${v.id}: ${v.help} — ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`,
    }));
  }, options);
  return found.filter((v) => v.impact !== null && BLOCKING.includes(v.impact)).map((v) => v.text);
}

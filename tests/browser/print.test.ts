import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, requireChromium } from '../helpers/browser.ts';
import { WorkCalendar } from '../../server/cases/calendar.ts';
import { DeadlinePolicy } from '../../server/cases/deadlines.ts';
import { Cases } from '../../server/cases/service.ts';
import { seedHistory } from '../../server/demo/seed.ts';
import { buildReport } from '../../server/reports/report.ts';
import { reportHtml } from '../../server/reports/html.ts';
import { ReportsConfig } from '../../server/reports/config.ts';
import { reportSources } from '../../server/reports/sources.ts';
import type { Report } from '../../server/reports/types.ts';
import type { Store } from '../../server/store/index.ts';
import { REPO } from '../helpers/hotline.ts';
import { freshStore } from '../helpers/postgres.ts';


/**
 * The printable report is one A4 sheet however busy the month: a generated October (every
 * department, long lists of overdue cases, rising topics, clusters and questions) printed to
 * PDF by Chromium has one page, and shows the report's own figures.
 */
describe('the printable report in Chromium', { timeout: 90_000 }, () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let browser: Browser;
  let report: Report;

  beforeAll(async () => {
    requireChromium();
    ({ store, cleanup } = await freshStore());
    const end = new Date('2026-11-03T16:00:00Z'); // 4 November, China time
    await seedHistory(store, { days: 40, end, now: end, scale: 0.3, verify: 0 });
    const policy = DeadlinePolicy.load(path.join(REPO, 'cases', 'deadlines.yaml'), WorkCalendar.load(path.join(REPO, 'cases', 'calendar.yaml')));
    const sources = reportSources(store.db, new Cases(store.db, policy, policy.rules, () => end), ReportsConfig.load(path.join(REPO, 'cases', 'reports.yaml')), () => end);
    report = await buildReport(sources, { kind: 'month', date: '2026-10-15' });
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await cleanup?.();
  });

  it('prints a busy month on one A4 page, with its figures', async () => {
    // Busy enough that all of it would not fit: the page must choose.
    expect(report.league.length).toBeGreaterThan(10);
    expect(report.overdue.count).toBeGreaterThan(5);
    const page = await browser.newPage();
    await page.setContent(reportHtml(report));
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? [];
    expect(pages).toHaveLength(1);
    const kpi = async (label: string) => (await page.locator('.kpi', { hasText: label }).locator('b').textContent())?.trim();
    expect(await kpi('受理量')).toBe(String(report.current.cases.received));
    expect(await kpi('超期')).toBe(String(report.overdue.count));
    expect(await kpi('满意率')).toBe(`${((report.current.cases.satisfaction.rate ?? 0) * 100).toFixed(1)}%`);
    expect(await page.locator('.charts svg').count()).toBe(4);
    const firstLeague = report.league[0]!;
    expect(await page.locator('section', { hasText: 'Department league' }).locator('tbody tr').first().locator('td').nth(1).textContent()).toBe(firstLeague.department);
    await page.close();
  });
});

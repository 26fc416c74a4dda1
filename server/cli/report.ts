import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { openStore } from '../store/index.ts';
import { DeadlinePolicy } from '../cases/deadlines.ts';
import { WorkCalendar } from '../cases/calendar.ts';
import { Cases } from '../cases/service.ts';
import { buildReport } from '../reports/report.ts';
import { ReportsConfig } from '../reports/config.ts';
import { reportSources } from '../reports/sources.ts';
import { reportCsv, reportXlsx } from '../reports/export.ts';
import { reportHtml } from '../reports/html.ts';
import { chinaToday, type PeriodKind } from '../reports/periods.ts';
import type { Report } from '../reports/types.ts';
import { CliError } from './errors.ts';

const KINDS: Record<string, PeriodKind> = { daily: 'day', weekly: 'week', monthly: 'month' };
const FORMATS: Record<string, (r: Report) => string | Promise<Buffer>> = {
  json: (r) => `${JSON.stringify(r, null, 2)}\n`,
  csv: reportCsv,
  xlsx: reportXlsx,
  html: reportHtml,
};

/** `hotline report daily|weekly|monthly`: the report of a closed period, from the store, without the server. */
export function registerReport(program: Command): void {
  program
    .command('report <kind>')
    .description('the daily, weekly or monthly report of the store (HOTLINE_DATA_DIR / DATABASE_URL): the period beside the one before and a year before')
    .option('--date <YYYY-MM-DD>', 'a day in the period (China time); default yesterday')
    .option('--format <format>', 'json, csv, xlsx or html (printable, one A4)', 'json')
    .option('--department <codes>', 'only these departments (comma-separated codes)')
    .option('--out <file>', 'write to this file instead of standard output (xlsx needs it)')
    .action(async (kind: string, o: { date?: string; format: string; out?: string; department?: string }) => {
      if (!KINDS[kind]) throw new CliError(`report daily, weekly or monthly, not ${kind}`);
      const format = FORMATS[o.format];
      if (!format) throw new CliError(`--format json, csv, xlsx or html, not ${o.format}`);
      if (o.format === 'xlsx' && !o.out) throw new CliError('an XLSX file is binary: give --out report.xlsx');
      const date = o.date ?? chinaToday(-1);
      const config = loadConfig();
      const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        const policy = DeadlinePolicy.load(path.join(config.casesDir, 'deadlines.yaml'), WorkCalendar.load(path.join(config.casesDir, 'calendar.yaml')));
        const sources = reportSources(store.db, new Cases(store.db, policy), ReportsConfig.load(path.join(config.casesDir, 'reports.yaml')));
        let report: Report;
        try {
          report = await buildReport(sources, { kind: KINDS[kind]!, date }, o.department ? { departments: o.department.split(',') } : {});
        } catch (err) {
          if (err instanceof RangeError) throw new CliError(`${err.message} (give --date as YYYY-MM-DD)`);
          throw err;
        }
        const out = await format(report);
        if (o.out) {
          writeFileSync(o.out, out);
          console.error(`wrote the ${kind} report for ${date} to ${o.out}`);
        } else process.stdout.write(out);
      } finally {
        await store.close();
      }
    });
}

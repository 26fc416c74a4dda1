import ExcelJS from 'exceljs';
import { isRateRow, reportTables, type Cell, type ReportTable } from './tables.ts';
import type { Report } from './types.ts';

const KIND_NAMES: Record<Report['kind'], string> = { day: '日报 Daily report', week: '周报 Weekly report', month: '月报 Monthly report', range: '报表 Report' };

export const reportTitle = (r: Report) => `${KIND_NAMES[r.kind]} ${r.date}${r.scope.departments ? ` · ${r.scope.departments.join(', ')}` : ''}`;

/** Rates are written as their value rounded to 6 places: the same number the JSON has, to the last digit that matters. */
const csvCell = (c: Cell) => {
  if (c === null) return '';
  if (typeof c === 'number') return String(Math.round(c * 1e6) / 1e6);
  // Citizens' words (questions, places, reasons) must not become spreadsheet formulas.
  const text = /^[=+\-@\t\r]/.test(c) ? `'${c}` : c;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** CSV: the tables one after another, each under its title, blank lines between. */
export function reportCsv(r: Report): string {
  const lines: Cell[][] = [[reportTitle(r)], ['period', r.current.period.from, r.current.period.to], ['generated at', r.generatedAt]];
  for (const t of reportTables(r)) lines.push([], [t.title], t.head, ...t.rows);
  return lines.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/** XLSX: a summary sheet of the measures, then one sheet per table; rates as percentages Excel can compute with. */
export async function reportXlsx(r: Report): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Hotline';
  book.created = new Date(r.generatedAt);
  for (const t of reportTables(r)) {
    const sheet = book.addWorksheet(t.name);
    sheet.addRow([t.title]).font = { bold: true, size: 13 };
    sheet.addRow([reportTitle(r), r.current.period.from, r.current.period.to]);
    sheet.addRow(t.head).font = { bold: true };
    for (const row of t.rows) {
      const added = sheet.addRow(row.map((c) => c ?? null));
      percentColumns(t, row).forEach((i) => (added.getCell(i + 1).numFmt = '0.0%'));
    }
    sheet.columns.forEach((c, i) => (c.width = Math.min(60, Math.max(10, ...t.rows.map((row) => String(row[i] ?? '').length + 2), (t.head[i] ?? '').length + 2))));
    sheet.views = [{ state: 'frozen', ySplit: 3 }];
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The columns of a row holding rates. */
export function percentColumns(t: ReportTable, row: Cell[]): number[] {
  if (t.name === 'measures') return isRateRow(row) ? [2, 3, 4] : [];
  return t.rates ?? [];
}

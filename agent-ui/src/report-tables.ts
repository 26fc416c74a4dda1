import { LitElement, css, html } from 'lit';
import type { Count, LeagueLine, Rate, Report } from '../../server/reports/types.ts';
import { timeLeft, when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import { caseLink, num, parts, pct, reportGrid, reportStyles, share, stepName, sumCounts, type DeptName } from './report-common.ts';
import { base } from './styles.ts';

const rateCell = (r: Rate) => html`<td class="n" title=${parts(r)}>${pct(r)}</td>`;

/** The department league, the top categories and districts, and the cases still overdue. */
export class ReportTables extends LitElement {
  static override properties = { report: { attribute: false }, dept: { attribute: false } };
  static override styles = [
    base,
    reportStyles,
    reportGrid,
    css`
      td.overdue {
        color: var(--bad);
        font-weight: 600;
      }
    `,
  ];
  declare report: Report;
  declare dept: DeptName;

  constructor() {
    super();
    new LangController(this);
    this.dept = (c) => c ?? '—';
  }

  private league(lines: LeagueLine[]) {
    return html`<section class="card wide">
      <h2>${t('leagueTitle')}</h2>
      ${lines.length
        ? html`<table data-testid="report-league">
            <thead>
              <tr>
                <th class="n">${t('colRank')}</th>
                <th>${t('department')}</th>
                <th class="n">${t('mOnTimeAccept')}</th>
                <th class="n">${t('mOnTimeReply')}</th>
                <th class="n">${t('mSatisfaction')}</th>
                <th class="n">${t('mReturned')}</th>
                <th class="n">${t('mReceived')}</th>
              </tr>
            </thead>
            <tbody>
              ${lines.map(
                (l, i) => html`<tr data-testid="league-row" data-department=${l.department}>
                  <td class="n">${i + 1}</td>
                  <td title=${l.department}>${this.dept(l.department)}</td>
                  ${rateCell(l.accept)} ${rateCell(l.reply)} ${rateCell(l.satisfaction)}
                  <td class="n">${num(l.returned)}</td>
                  <td class="n">${num(l.received)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noData')}</div>`}
    </section>`;
  }

  private top(title: Key, keyLabel: Key, counts: Count[], id: string) {
    const total = sumCounts(counts);
    return html`<section class="card">
      <h2>${t(title)}</h2>
      ${counts.length
        ? html`<table data-testid="report-top-${id}">
            <thead>
              <tr>
                <th>${t(keyLabel)}</th>
                <th class="n">${t('colCount')}</th>
                <th class="n">${t('colShare')}</th>
              </tr>
            </thead>
            <tbody>
              ${counts.slice(0, 10).map(
                (c) => html`<tr data-testid="top-row" data-key=${c.key}>
                  <td>${c.key || '—'}</td>
                  <td class="n">${num(c.count)}</td>
                  <td class="n">${share(c.count, total)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noData')}</div>`}
    </section>`;
  }

  private overdue(r: Report) {
    const now = Date.now();
    return html`<section class="card wide">
      <h2>${t('overdueTitle', { n: r.overdue.count })}</h2>
      ${r.overdue.cases.length
        ? html`<table data-testid="report-overdue">
            <thead>
              <tr>
                <th>${t('colCase')}</th>
                <th>${t('department')}</th>
                <th>${t('category')}</th>
                <th>${t('district')}</th>
                <th>${t('colStep')}</th>
                <th>${t('colDue')}</th>
                <th class="n">${t('colOverdueBy')}</th>
              </tr>
            </thead>
            <tbody>
              ${r.overdue.cases.map(
                (c) => html`<tr data-testid="overdue-row" data-case-id=${c.id}>
                  <td>${caseLink(c.id)}</td>
                  <td>${this.dept(c.department)}</td>
                  <td>${c.category}</td>
                  <td>${c.district ?? '—'}</td>
                  <td>${stepName(c.step)}</td>
                  <td>${when(c.dueAt)}</td>
                  <td class="n overdue">${timeLeft(c.dueAt, now).text}</td>
                </tr>`,
              )}
            </tbody>
          </table>
          ${r.overdue.count > r.overdue.cases.length ? html`<div class="small muted">${t('overdueMore', { n: r.overdue.cases.length, total: r.overdue.count })}</div>` : ''}`
        : html`<div class="empty">${t('noOverdue')}</div>`}
    </section>`;
  }

  override render() {
    const r = this.report;
    if (!r) return '';
    return html`
      ${this.league(r.league)} ${this.top('topCategoriesTitle', 'category', r.top.categories, 'categories')}
      ${this.top('topDistrictsTitle', 'district', r.top.districts, 'districts')} ${this.overdue(r)}
    `;
  }
}
customElements.define('report-tables', ReportTables);

declare global {
  interface HTMLElementTagNameMap {
    'report-tables': ReportTables;
  }
}

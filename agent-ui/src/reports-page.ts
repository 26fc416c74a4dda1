import { LitElement, css, html } from 'lit';
import type { Report } from '../../server/reports/types.ts';
import { departments, get, messageOf, type Department, type Me } from './api.ts';
import './case-dialog.ts';
import './call-dialog.ts';
import { when } from './format.ts';
import { LangController, t, type Key } from './i18n.ts';
import './report-charts.ts';
import { defaultDate, reportQuery, type Asked, type AskedKind, type DeptName } from './report-common.ts';
import './report-insights.ts';
import './report-measures.ts';
import './report-tables.ts';
import './report-tiles.ts';
import { seesAllDepartments } from './roles.ts';
import { base } from './styles.ts';

const KINDS: AskedKind[] = ['day', 'week', 'month', 'range'];
const KIND_LABEL: Record<AskedKind, Key> = { day: 'periodDay', week: 'periodWeek', month: 'periodMonth', range: 'periodRange' };

/** The last China day of a period ([from, to) instants): the day before `to`. */
const lastDay = (to: string) => new Date(Date.parse(to) + 8 * 3600_000 - 1).toISOString().slice(0, 10);
const firstDay = (from: string) => new Date(Date.parse(from) + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * 报表: the daily, weekly or monthly report (or a free range) beside the period before and a year
 * before, for supervisors (the centre, or some departments) and for department handlers (their own
 * departments only); supervisors also get today's live tiles. Downloads and the printable page are
 * the server's, with the same query.
 */
export class ReportsPage extends LitElement {
  static override properties = {
    user: { attribute: false },
    asked: { state: true },
    report: { state: true },
    loading: { state: true },
    error: { state: true },
    catalogue: { state: true },
    caseId: { state: true },
    callSid: { state: true },
    dept: { state: true },
  };
  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
      }
      .bar {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 8px 10px;
        padding: 8px 14px;
        background: var(--panel);
        border-bottom: 1px solid var(--line);
      }
      .kinds {
        display: inline-flex;
      }
      .kinds button {
        border-radius: 0;
        margin-left: -1px;
      }
      .kinds button:first-child {
        border-radius: var(--radius) 0 0 var(--radius);
      }
      .kinds button:last-child {
        border-radius: 0 var(--radius) var(--radius) 0;
      }
      .kinds button[aria-pressed='true'] {
        background: var(--accent-soft);
        border-color: var(--accent);
        color: var(--accent);
        font-weight: 600;
        position: relative;
      }
      a.button {
        border: 1px solid var(--line);
        background: var(--panel);
        border-radius: var(--radius);
        padding: 4px 10px;
        color: inherit;
        text-decoration: none;
        white-space: nowrap;
      }
      a.button:hover {
        border-color: var(--accent);
      }
      .scroll {
        flex: 1;
        min-height: 0;
        overflow-y: auto;
        padding: 12px 14px 24px;
        display: flex;
        flex-direction: column;
        gap: 12px;
      }
      .period {
        display: flex;
        gap: 14px;
        flex-wrap: wrap;
        align-items: baseline;
      }
      .empty {
        color: var(--muted);
        padding: 20px;
        text-align: center;
      }
    `,
  ];

  declare user: Me;
  declare asked: Asked;
  declare report: Report | null;
  declare loading: boolean;
  declare error: string;
  declare catalogue: Department[];
  /** The case shown in the dialog. */
  declare caseId: string | null;
  declare callSid: string | null;
  /** Department names from the catalogue: a new function when it arrives, so the tables show names. */
  declare dept: DeptName;
  private seq = 0;

  constructor() {
    super();
    new LangController(this);
    this.asked = { kind: 'day', date: defaultDate('day'), to: defaultDate('day'), departments: [] };
    this.report = null;
    this.loading = false;
    this.error = '';
    this.catalogue = [];
    this.caseId = null;
    this.callSid = null;
    this.dept = (code) => code ?? '—';
    this.addEventListener('open-case', (e) => (this.caseId = (e as CustomEvent<string>).detail));
    this.addEventListener('open-call', (e) => (this.callSid = (e as CustomEvent<string>).detail));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    departments().then(
      (d) => {
        this.catalogue = d.departments;
        const names = new Map(d.departments.map((x) => [x.code, x.name]));
        this.dept = (code) => (code ? (names.get(code) ?? code) : '—');
      },
      () => undefined,
    );
  }

  private get centre(): boolean {
    return seesAllDepartments(this.user);
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    try {
      const r = await get<Report>(`/api/reports/report?${reportQuery(this.asked)}`);
      if (seq !== this.seq) return;
      this.report = r;
      this.error = '';
    } catch (err) {
      if (seq === this.seq) {
        this.report = null;
        this.error = messageOf(err);
      }
    } finally {
      if (seq === this.seq) this.loading = false;
    }
  }

  private ask(change: Partial<Asked>): void {
    this.asked = { ...this.asked, ...change };
    void this.load();
  }

  private pickKind(kind: AskedKind): void {
    if (kind === this.asked.kind) return;
    const date = defaultDate(kind);
    this.ask({ kind, date, to: date });
  }

  private dateInput() {
    const a = this.asked;
    const set = (key: 'date' | 'to') => (e: Event) => {
      const v = (e.target as HTMLInputElement).value;
      if (!v) return;
      this.ask({ [key]: a.kind === 'month' ? `${v}-01` : v });
    };
    if (a.kind === 'month')
      return html`<input type="month" data-testid="report-month" aria-label=${t('reportMonth')} .value=${a.date.slice(0, 7)} @change=${set('date')} />`;
    if (a.kind === 'range')
      return html`<input type="date" data-testid="report-from" aria-label=${t('rangeFrom')} .value=${a.date} @change=${set('date')} />
        <span class="muted">–</span>
        <input type="date" data-testid="report-to" aria-label=${t('rangeTo')} .value=${a.to} min=${a.date} @change=${set('to')} />`;
    return html`<input type="date" data-testid="report-date" aria-label=${t('reportDate')} .value=${a.date} @change=${set('date')} />`;
  }

  private departmentFilter() {
    if (!this.centre)
      return html`<span class="small muted" data-testid="report-own-departments">${this.user.departments.map((d) => this.dept(d)).join('、')}</span>`;
    const chosen = this.asked.departments[0] ?? '';
    return html`<select
      data-testid="report-department"
      aria-label=${t('department')}
      @change=${(e: Event) => {
        const v = (e.target as HTMLSelectElement).value;
        this.ask({ departments: v ? [v] : [] });
      }}
    >
      <option value="" ?selected=${!chosen}>${t('allDepartments')}</option>
      ${this.catalogue.map((d) => html`<option value=${d.code} ?selected=${d.code === chosen}>${d.name}</option>`)}
    </select>`;
  }

  private bar() {
    const q = reportQuery(this.asked);
    return html`<div class="bar">
      <h2 style="margin:0">${t('reportsTitle')}</h2>
      <span class="kinds" role="group" aria-label=${t('periodKind')}>
        ${KINDS.map(
          (k) => html`<button data-testid="report-kind-${k}" aria-pressed=${this.asked.kind === k ? 'true' : 'false'} @click=${() => this.pickKind(k)}>${t(KIND_LABEL[k])}</button>`,
        )}
      </span>
      ${this.dateInput()} ${this.departmentFilter()}
      <span class="grow"></span>
      ${this.loading ? html`<span class="small muted">${t('loading')}</span>` : ''}
      <button data-testid="report-refresh" @click=${() => void this.load()}>${t('refresh')}</button>
      <a class="button" data-testid="report-csv" href="/api/reports/report.csv?${q}" download>${t('downloadCsv')}</a>
      <a class="button" data-testid="report-xlsx" href="/api/reports/report.xlsx?${q}" download>${t('downloadXlsx')}</a>
      <a class="button" data-testid="report-print" href="/api/reports/report.html?${q}" target="_blank" rel="noopener">${t('print')}</a>
    </div>`;
  }

  private periodLine(r: Report) {
    const p = r.current.period;
    const scope = r.scope.departments?.length ? t('scopeDepartments', { d: r.scope.departments.map((d) => this.dept(d)).join('、') }) : t('scopeCentre');
    return html`<div class="period">
      <h2 style="margin:0" data-testid="report-period">${t('periodShown', { from: firstDay(p.from), to: lastDay(p.to) })}</h2>
      <span class="small muted">${scope}</span>
      <span class="small muted">${t('comparedWith', { prev: `${firstDay(r.previous.period.from)} – ${lastDay(r.previous.period.to)}`, year: `${firstDay(r.yearBefore.period.from)} – ${lastDay(r.yearBefore.period.to)}` })}</span>
      <span class="small muted">${t('generatedAt', { t: when(r.generatedAt) })}</span>
    </div>`;
  }

  override render() {
    const r = this.report;
    return html`
      ${this.bar()}
      <div class="scroll" data-testid="reports-page">
        ${this.centre ? html`<report-tiles></report-tiles>` : ''}
        ${this.error ? html`<div class="error" role="alert" data-testid="report-error">${this.error}</div>` : ''}
        ${r
          ? html`${this.periodLine(r)}
              <report-measures .report=${r}></report-measures>
              <report-charts .report=${r} .dept=${this.dept}></report-charts>
              <report-tables .report=${r} .dept=${this.dept}></report-tables>
              <report-insights .report=${r} .dept=${this.dept}></report-insights>`
          : !this.error
            ? html`<div class="empty">${t('loading')}</div>`
            : ''}
      </div>
      <case-dialog .caseId=${this.caseId} .dept=${this.dept} @close=${() => (this.caseId = null)}></case-dialog>
      <call-dialog .callSid=${this.callSid} @close=${() => (this.callSid = null)}></call-dialog>
    `;
  }
}
customElements.define('reports-page', ReportsPage);

declare global {
  interface HTMLElementTagNameMap {
    'reports-page': ReportsPage;
  }
}

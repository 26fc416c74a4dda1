import { LitElement, css, html } from 'lit';
import type { Count, Report, SurveyLine } from '../../server/reports/types.ts';
import { LangController, t, type Key } from './i18n.ts';
import { caseLinks, channelName, openCall, num, parts, pct, reportGrid, reportStyles, type DeptName } from './report-common.ts';
import { base } from './styles.ts';

const KIND_LABEL: Record<string, Key> = { category: 'kindCategory', district: 'kindDistrict', word: 'kindWord' };
const counts = (xs: Count[], name: (k: string) => string = (k) => k) => xs.map((c) => `${name(c.key)} ${c.count}`).join('、') || '—';

/** What the period brought up: rising topics, repeated complaints by place, unanswered questions, and the satisfaction survey. */
export class ReportInsights extends LitElement {
  static override properties = { report: { attribute: false }, dept: { attribute: false }, open: { state: true } };
  static override styles = [
    base,
    reportStyles,
    reportGrid,
    css`
      tr.behind td {
        background: #fafbfc;
      }
      .sids {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 10px;
      }
      .figures {
        display: flex;
        gap: 18px;
        flex-wrap: wrap;
      }
      .two {
        display: grid;
        grid-template-columns: repeat(2, minmax(0, 1fr));
        gap: 12px;
      }
      .figures b {
        font-size: 18px;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];
  declare report: Report;
  declare dept: DeptName;
  /** The row whose cases (or calls) are shown, as `table:index`. */
  declare open: string | null;

  constructor() {
    super();
    new LangController(this);
    this.dept = (c) => c ?? '—';
    this.open = null;
  }

  private toggle(key: string) {
    this.open = this.open === key ? null : key;
  }

  private expander(key: string, n: number) {
    const shown = this.open === key;
    return html`<button class="link" data-testid="show-behind" aria-expanded=${shown ? 'true' : 'false'} @click=${() => this.toggle(key)}>
      ${shown ? t('hideCases') : t('showCases', { n })}
    </button>`;
  }

  private rising(r: Report) {
    const rows = r.insights.rising;
    return html`<section class="card">
      <h2>${t('risingTitle')}</h2>
      ${rows.length
        ? html`<table data-testid="report-rising">
            <thead>
              <tr>
                <th>${t('colKind')}</th>
                <th>${t('colTopic')}</th>
                <th class="n">${t('colCount')}</th>
                <th class="n">${t('colBaseline')}</th>
                <th class="n">${t('colRatio')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (x, i) => html`<tr data-testid="rising-row" data-key=${x.key}>
                    <td>${KIND_LABEL[x.kind] ? t(KIND_LABEL[x.kind]!) : x.kind}</td>
                    <td>${x.key}</td>
                    <td class="n">${num(x.count)}</td>
                    <td class="n">${num(x.baseline, 1)}</td>
                    <td class="n">×${num(x.ratio, 1)}</td>
                    <td>${this.expander(`rising:${i}`, x.caseIds.length)}</td>
                  </tr>
                  ${this.open === `rising:${i}` ? html`<tr class="behind"><td colspan="6">${caseLinks(x.caseIds)}</td></tr>` : ''}`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noneFound')}</div>`}
    </section>`;
  }

  private clusters(r: Report) {
    const rows = r.insights.clusters;
    return html`<section class="card">
      <h2>${t('clustersTitle')}</h2>
      ${rows.length
        ? html`<table data-testid="report-clusters">
            <thead>
              <tr>
                <th>${t('colPlace')}</th>
                <th class="n">${t('colCount')}</th>
                <th>${t('colCategories')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (x, i) => html`<tr data-testid="cluster-row">
                    <td>${x.place}${x.district ? html`<span class="small muted"> · ${x.district}</span>` : ''}</td>
                    <td class="n">${num(x.count)}</td>
                    <td>${counts(x.categories)}</td>
                    <td>${this.expander(`cluster:${i}`, x.caseIds.length)}</td>
                  </tr>
                  ${this.open === `cluster:${i}` ? html`<tr class="behind"><td colspan="4">${caseLinks(x.caseIds)}</td></tr>` : ''}`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noneFound')}</div>`}
    </section>`;
  }

  private unanswered(r: Report) {
    const rows = r.insights.unanswered;
    return html`<section class="card wide">
      <h2>${t('unansweredTitle')}</h2>
      ${rows.length
        ? html`<table data-testid="report-unanswered">
            <thead>
              <tr>
                <th>${t('colQuestion')}</th>
                <th class="n">${t('colCount')}</th>
                <th>${t('colChannels')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (x, i) => html`<tr data-testid="unanswered-row">
                    <td>${x.question}</td>
                    <td class="n">${num(x.count)}</td>
                    <td>${counts(x.channels, channelName)}</td>
                    <td>${this.expander(`unanswered:${i}`, x.callSids.length + x.caseIds.length)}</td>
                  </tr>
                  ${this.open === `unanswered:${i}`
                    ? html`<tr class="behind">
                        <td colspan="4">
                          <div class="small muted">${t('colCalls')}</div>
                          <div class="sids mono" data-testid="call-sids">${x.callSids.length ? x.callSids.map((s) => html`<button class="link" data-testid="call-link" data-call-sid=${s} @click=${(e: Event) => openCall(e, s)}>${s}</button>`) : '—'}</div>
                          <div class="small muted">${t('colCases')}</div>
                          ${caseLinks(x.caseIds)}
                        </td>
                      </tr>`
                    : ''}`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noneFound')}</div>`}
    </section>`;
  }

  private surveyTable(title: Key, lines: SurveyLine[], name: (k: string) => string, id: string) {
    return html`<div>
      <h3>${t(title)}</h3>
      ${lines.length
        ? html`<table data-testid="survey-${id}">
            <thead>
              <tr>
                <th>${id === 'departments' ? t('department') : t('category')}</th>
                <th class="n">${t('surveySatisfied')}</th>
                <th class="n">${t('surveyBasic')}</th>
                <th class="n">${t('surveyDissatisfied')}</th>
                <th class="n">${t('mSatisfaction')}</th>
              </tr>
            </thead>
            <tbody>
              ${lines.map(
                (l) => html`<tr data-testid="survey-row" data-key=${l.key}>
                  <td title=${l.key}>${name(l.key)}</td>
                  <td class="n">${num(l.satisfied)}</td>
                  <td class="n">${num(l.basic)}</td>
                  <td class="n">${num(l.dissatisfied)}</td>
                  <td class="n" title=${parts(l.satisfaction)}>${pct(l.satisfaction)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noData')}</div>`}
    </div>`;
  }

  private survey(r: Report) {
    const s = r.survey;
    return html`<section class="card wide" data-testid="report-survey">
      <h2>${t('surveyTitle')}</h2>
      <div class="figures">
        <span>${t('responseRate')} <b title=${parts(s.responseRate)} data-testid="survey-response-rate">${pct(s.responseRate)}</b></span>
        <span>${t('mSatisfaction')} <b title=${parts(s.satisfaction)} data-testid="survey-satisfaction">${pct(s.satisfaction)}</b></span>
        <span>${t('reopenedCount')} <b data-testid="survey-reopened">${num(s.reopened.count)}</b></span>
      </div>
      <div class="two">
        ${this.surveyTable('byDepartmentTitle', s.byDepartment, (k) => this.dept(k), 'departments')}
        ${this.surveyTable('byCategoryTitle', s.byCategory, (k) => k, 'categories')}
      </div>
      <h3>${t('reasonsTitle')}</h3>
      ${s.reasons.length
        ? html`<table data-testid="survey-reasons">
            <thead>
              <tr>
                <th>${t('reason')}</th>
                <th class="n">${t('colCount')}</th>
                <th>${t('colCases')}</th>
              </tr>
            </thead>
            <tbody>
              ${s.reasons.map(
                (x) => html`<tr>
                  <td>${x.reason}</td>
                  <td class="n">${num(x.count)}</td>
                  <td>${caseLinks(x.caseIds)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<div class="empty">${t('noneFound')}</div>`}
      <h3>${t('reopenedTitle', { n: s.reopened.count })}</h3>
      <div data-testid="survey-reopened-cases">${caseLinks(s.reopened.caseIds)}</div>
    </section>`;
  }

  override render() {
    const r = this.report;
    if (!r) return '';
    return html`${this.rising(r)} ${this.clusters(r)} ${this.unanswered(r)} ${this.survey(r)}`;
  }
}
customElements.define('report-insights', ReportInsights);

declare global {
  interface HTMLElementTagNameMap {
    'report-insights': ReportInsights;
  }
}

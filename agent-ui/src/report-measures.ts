import { LitElement, html } from 'lit';
import type { PeriodFigures, Rate, Report } from '../../server/reports/types.ts';
import { LangController, t, type Key } from './i18n.ts';
import { change, num, parts, pct, reportStyles } from './report-common.ts';
import { base } from './styles.ts';

type Value = number | Rate | null | undefined;

interface Measure {
  /** The measure's path in the JSON, for tests and for whoever compares with the CSV. */
  id: string;
  label: Key;
  value: (f: PeriodFigures) => Value;
  /** Which way is better (colours the change); none for plain volumes. */
  better?: 'up' | 'down';
  /** Shown with this many decimals (seconds). */
  digits?: number;
}

interface Group {
  label: Key;
  measures: Measure[];
}

const GROUPS: Group[] = [
  {
    label: 'groupService',
    measures: [
      { id: 'service.offered', label: 'mOffered', value: (f) => f.service?.offered },
      { id: 'service.answeredInMenu', label: 'mAnsweredInMenu', value: (f) => f.service?.answeredInMenu },
      { id: 'service.askedForHuman', label: 'mAskedForHuman', value: (f) => f.service?.askedForHuman },
      { id: 'service.answeredByAgent', label: 'mAnsweredByAgent', value: (f) => f.service?.answeredByAgent },
      { id: 'service.abandonedInQueue', label: 'mAbandonedInQueue', value: (f) => f.service?.abandonedInQueue, better: 'down' },
      { id: 'service.answerRate', label: 'mAnswerRate', value: (f) => f.service?.answerRate, better: 'up' },
      { id: 'service.answeredWithin15s', label: 'mWithin15s', value: (f) => f.service?.answeredWithin15s, better: 'up' },
      { id: 'service.containment', label: 'mContainment', value: (f) => f.service?.containment, better: 'up' },
      { id: 'service.timeToAnswer.p50Seconds', label: 'mWaitP50', value: (f) => f.service?.timeToAnswer.p50Seconds, better: 'down', digits: 1 },
      { id: 'service.timeToAnswer.p90Seconds', label: 'mWaitP90', value: (f) => f.service?.timeToAnswer.p90Seconds, better: 'down', digits: 1 },
      { id: 'service.timeToHuman.p50Seconds', label: 'mToHumanP50', value: (f) => f.service?.timeToHuman.p50Seconds, better: 'down', digits: 1 },
      { id: 'service.timeToHuman.meanMenuSteps', label: 'mMenuSteps', value: (f) => f.service?.timeToHuman.meanMenuSteps, better: 'down', digits: 1 },
      { id: 'service.timeToAgent.p50Seconds', label: 'mToAgentP50', value: (f) => f.service?.timeToAgent.p50Seconds, better: 'down', digits: 1 },
      { id: 'firstContact.resolution', label: 'mFirstContact', value: (f) => f.firstContact?.resolution, better: 'up' },
    ],
  },
  {
    label: 'groupSms',
    measures: [
      { id: 'sms.conversations', label: 'mSmsConversations', value: (f) => f.sms?.conversations },
      { id: 'sms.answeredInMenu', label: 'mSmsAnsweredInMenu', value: (f) => f.sms?.answeredInMenu },
      { id: 'sms.handedOff', label: 'mSmsHandedOff', value: (f) => f.sms?.handedOff },
      { id: 'sms.abandoned', label: 'mSmsAbandoned', value: (f) => f.sms?.abandoned, better: 'down' },
      { id: 'sms.answeredWithin3min', label: 'mSms3min', value: (f) => f.sms?.answeredWithin3min, better: 'up' },
    ],
  },
  {
    label: 'groupCases',
    measures: [
      { id: 'cases.received', label: 'mReceived', value: (f) => f.cases.received },
      { id: 'cases.dispatched', label: 'mDispatched', value: (f) => f.cases.dispatched },
      { id: 'cases.onTime.dispatch', label: 'mOnTimeDispatch', value: (f) => f.cases.onTime.dispatch, better: 'up' },
      { id: 'cases.onTime.accept', label: 'mOnTimeAccept', value: (f) => f.cases.onTime.accept, better: 'up' },
      { id: 'cases.onTime.reply', label: 'mOnTimeReply', value: (f) => f.cases.onTime.reply, better: 'up' },
      { id: 'cases.returned', label: 'mReturned', value: (f) => f.cases.returned, better: 'down' },
      { id: 'cases.redispatched', label: 'mRedispatched', value: (f) => f.cases.redispatched, better: 'down' },
      { id: 'cases.extensionsRequested', label: 'mExtensions', value: (f) => f.cases.extensionsRequested, better: 'down' },
      { id: 'cases.extensionsApproved', label: 'mExtensionsApproved', value: (f) => f.cases.extensionsApproved },
      { id: 'cases.escalations', label: 'mEscalations', value: (f) => f.cases.escalations, better: 'down' },
      { id: 'cases.merged', label: 'mMerged', value: (f) => f.cases.merged },
      { id: 'cases.reopened', label: 'mReopened', value: (f) => f.cases.reopened, better: 'down' },
      { id: 'cases.replied', label: 'mReplied', value: (f) => f.cases.replied },
      { id: 'cases.callbackReach', label: 'mCallbackReach', value: (f) => f.cases.callbackReach, better: 'up' },
      { id: 'cases.satisfaction', label: 'mSatisfaction', value: (f) => f.cases.satisfaction, better: 'up' },
    ],
  },
];

const isRate = (v: Value): v is Rate => v !== null && typeof v === 'object';
const scalar = (v: Value) => (isRate(v) ? v.rate : (v ?? null));

/** 本期 / 环比 / 同比: every measure of the period beside the period before and a year before, with the changes. */
export class ReportMeasures extends LitElement {
  static override properties = { report: { attribute: false } };
  static override styles = [base, reportStyles];
  declare report: Report;

  constructor() {
    super();
    new LangController(this);
  }

  private cell(v: Value, digits = 0, col: string) {
    if (isRate(v)) return html`<td class="n" data-col=${col} title=${parts(v)}>${pct(v)}</td>`;
    return html`<td class="n" data-col=${col}>${v === null || v === undefined ? '—' : num(v, digits)}</td>`;
  }

  private delta(m: Measure, now: Value, before: Value, col: string) {
    const c = change(scalar(now), scalar(before), isRate(now));
    const cls = !c.dir || c.dir === 'flat' || !m.better ? 'neutral' : (c.dir === 'up') === (m.better === 'up') ? 'better' : 'worse';
    return html`<td class="n ${cls}" data-col=${col}>${c.text}</td>`;
  }

  override render() {
    const r = this.report;
    return html`
      <section class="card">
        <h2>${t('measuresTitle')}</h2>
        <table data-testid="report-measures">
          <thead>
            <tr>
              <th>${t('colMeasure')}</th>
              <th class="n">${t('colCurrent')}</th>
              <th class="n">${t('colPrevious')}</th>
              <th class="n">${t('colChangePrevious')}</th>
              <th class="n">${t('colYearBefore')}</th>
              <th class="n">${t('colChangeYear')}</th>
            </tr>
          </thead>
          <tbody>
            ${GROUPS.map((g) => {
              // A department's report has no centre measures: their groups are left out, not shown empty.
              const shown = g.measures.filter((m) => m.value(r.current) !== undefined);
              if (!shown.length) return '';
              return html`
                <tr class="group"><td colspan="6">${t(g.label)}</td></tr>
                ${shown.map((m) => {
                  const [now, prev, year] = [m.value(r.current), m.value(r.previous), m.value(r.yearBefore)];
                  return html`<tr data-testid="measure" data-measure=${m.id}>
                    <td>${t(m.label)}</td>
                    ${this.cell(now, m.digits, 'current')} ${this.cell(prev, m.digits, 'previous')} ${this.delta(m, now, prev, 'change-previous')}
                    ${this.cell(year, m.digits, 'year-before')} ${this.delta(m, now, year, 'change-year')}
                  </tr>`;
                })}
              `;
            })}
          </tbody>
        </table>
      </section>
    `;
  }
}
customElements.define('report-measures', ReportMeasures);

declare global {
  interface HTMLElementTagNameMap {
    'report-measures': ReportMeasures;
  }
}

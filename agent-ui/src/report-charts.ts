import { LitElement, css, html } from 'lit';
import { BarChart, PieChart } from 'echarts/charts';
import { GridSimpleComponent, LegendPlainComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ECharts, type EChartsCoreOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Count, PeriodFigures, Rate, Report } from '../../server/reports/types.ts';
import { LangController, t, type Key } from './i18n.ts';
import { channelName, reportGrid, reportStyles, type DeptName } from './report-common.ts';
import { base } from './styles.ts';

// Only what these charts use (named imports, the plain grid and legend), so the report chunk stays small.
use([BarChart, PieChart, GridSimpleComponent, LegendPlainComponent, TooltipComponent, SVGRenderer]);

const COLOURS = ['#1d5fa8', '#6aa0d8', '#b8cde6', '#1f7a4d', '#a35c00', '#b3261e', '#616e7c', '#7b5ea7'];
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";
const percent = (r: Rate) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10);

type Option = EChartsCoreOption;

function bars(counts: Count[], name: string, horizontal = false): Option {
  const keys = counts.map((c) => c.key || '—');
  const data = counts.map((c) => c.count);
  const category = { type: 'category', data: keys, axisLabel: { interval: 0, width: horizontal ? 110 : 80, overflow: 'truncate' }, inverse: horizontal };
  const value = { type: 'value', minInterval: 1 };
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 12, bottom: 8, containLabel: true },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: [{ type: 'bar', name, data, barMaxWidth: 28, label: { show: true, position: horizontal ? 'right' : 'top' } }],
  };
}

function pie(counts: Count[]): Option {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'], label: { formatter: '{b}\n{c}' }, data: counts.map((c) => ({ name: channelName(c.key), value: c.count })) }],
  };
}

/** Grouped bars of rates (in %), one series each. */
function rateBars(keys: string[], series: Array<{ name: string; data: Array<number | null> }>, labelWidth = 90): Option {
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v}%` : '—') },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
    // Many departments' names side by side would overlap: slanted, they fit.
    xAxis: { type: 'category', data: keys, axisLabel: { interval: 0, width: labelWidth, overflow: 'truncate', rotate: keys.length > 6 ? 35 : 0 } },
    yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, barMaxWidth: 22 })),
  };
}

/** The key rates compared over the three periods (the centre's, and the department's where there are no centre figures). */
const KEY_RATES: Array<{ label: Key; rate: (f: PeriodFigures) => Rate | undefined }> = [
  { label: 'mAnswerRate', rate: (f) => f.service?.answerRate },
  { label: 'mWithin15s', rate: (f) => f.service?.answeredWithin15s },
  { label: 'mSms3min', rate: (f) => f.sms?.answeredWithin3min },
  { label: 'mOnTimeAccept', rate: (f) => f.cases.onTime.accept },
  { label: 'mOnTimeReply', rate: (f) => f.cases.onTime.reply },
  { label: 'mSatisfaction', rate: (f) => f.cases.satisfaction },
];

interface Chart {
  id: string;
  title: Key;
  wide?: boolean;
  option: (r: Report, dept: DeptName) => Option | null;
}

const CHARTS: Chart[] = [
  { id: 'categories', title: 'chartCategories', option: (r) => (r.top.categoryGroups.length ? bars(r.top.categoryGroups.slice(0, 12), t('seriesCases'), true) : null) },
  { id: 'districts', title: 'chartDistricts', option: (r) => (r.top.districts.length ? bars(r.top.districts.slice(0, 12), t('seriesCases')) : null) },
  { id: 'channels', title: 'chartChannels', option: (r) => (r.current.cases.byChannel.length ? pie(r.current.cases.byChannel) : null) },
  {
    id: 'league',
    title: 'chartLeague',
    option: (r, dept) =>
      r.league.length
        ? rateBars(
            r.league.slice(0, 15).map((l) => dept(l.department)),
            [
              { name: t('mOnTimeReply'), data: r.league.slice(0, 15).map((l) => percent(l.reply)) },
              { name: t('mSatisfaction'), data: r.league.slice(0, 15).map((l) => percent(l.satisfaction)) },
            ],
          )
        : null,
  },
  {
    id: 'periods',
    title: 'chartPeriods',
    wide: true,
    option: (r) => {
      const rates = KEY_RATES.filter((k) => k.rate(r.current) !== undefined);
      const of = (f: PeriodFigures) => rates.map((k) => percent(k.rate(f)!));
      return rateBars(
        rates.map((k) => t(k.label)),
        [
          { name: t('colCurrent'), data: of(r.current) },
          { name: t('colPrevious'), data: of(r.previous) },
          { name: t('colYearBefore'), data: of(r.yearBefore) },
        ],
        150,
      );
    },
  },
];

/** The report's charts, drawn by ECharts as SVG (bundled and served by our server; nothing from a CDN). */
export class ReportCharts extends LitElement {
  static override properties = { report: { attribute: false }, dept: { attribute: false } };
  static override styles = [
    base,
    reportStyles,
    reportGrid,
    css`
      .chart {
        height: 260px;
        min-width: 0;
      }
    `,
  ];
  declare report: Report;
  declare dept: DeptName;
  private readonly charts = new Map<string, ECharts>();
  private readonly resize = new ResizeObserver(() => {
    for (const c of this.charts.values()) c.resize();
  });

  constructor() {
    super();
    new LangController(this);
    this.dept = (c) => c ?? '—';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resize.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    for (const c of this.charts.values()) c.dispose();
    this.charts.clear();
  }

  protected override updated(): void {
    for (const chart of CHARTS) {
      const el = this.renderRoot.querySelector<HTMLElement>(`[data-chart=${chart.id}]`);
      let c = this.charts.get(chart.id);
      if (c && c.getDom() !== el) {
        c.dispose();
        this.charts.delete(chart.id);
        c = undefined;
      }
      const option = this.report ? chart.option(this.report, this.dept) : null;
      if (!el || !option) continue;
      if (!c) {
        c = init(el, undefined, { renderer: 'svg' });
        this.charts.set(chart.id, c);
      }
      c.setOption({ color: COLOURS, textStyle: { fontFamily: FONT }, animation: false, ...option }, true);
    }
  }

  override render() {
    const r = this.report;
    if (!r) return '';
    return CHARTS.map((chart) => {
      const has = chart.option(r, this.dept) !== null;
      return html`<section class="card ${chart.wide ? 'wide' : ''}">
        <h2>${t(chart.title)}</h2>
        ${has ? html`<div class="chart" data-chart=${chart.id} data-testid="chart-${chart.id}"></div>` : html`<div class="empty">${t('noData')}</div>`}
      </section>`;
    });
  }
}
customElements.define('report-charts', ReportCharts);

declare global {
  interface HTMLElementTagNameMap {
    'report-charts': ReportCharts;
  }
}

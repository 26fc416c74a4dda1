import * as echarts from 'echarts';
import type { Count, Period, Rate } from '../cases/measures.ts';
import { chinaDate } from '../cases/calendar.ts';
import { reportTitle } from './export.ts';
import { fmtRate, MEASURE_NAMES, measuresOf } from './tables.ts';
import type { Report } from './types.ts';

/** A period as its China dates, first and last day. */
const days = (p: Period) => `${chinaDate(new Date(p.from))} – ${chinaDate(new Date(Date.parse(p.to) - 1))}`;
const chinaTime = (iso: string) => `${chinaDate(new Date(iso))} ${new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(11, 16)}`;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const SHOWN = 5;

/** A chart drawn on the server as SVG (ECharts' server-side rendering): the printed page needs no script. */
function svgChart(option: echarts.EChartsCoreOption, width = 260, height = 170): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif', fontSize: 9 }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const bars = (title: string, counts: Count[], max = 7) =>
  svgChart({
    title: { text: title, textStyle: { fontSize: 11 } },
    grid: { left: 70, right: 30, top: 24, bottom: 14 },
    xAxis: { type: 'value', minInterval: 1, axisLabel: { show: false }, splitLine: { show: false } },
    yAxis: { type: 'category', inverse: true, data: counts.slice(0, max).map((c) => c.key || '—'), axisLabel: { width: 64, overflow: 'truncate' } },
    series: [{ type: 'bar', data: counts.slice(0, max).map((c) => c.count), label: { show: true, position: 'right' }, barMaxWidth: 14 }],
  });

/** The key measures a leader reads on paper; every measure is in the CSV and the XLSX. */
const KEY_MEASURES = [
  'service.offered',
  'service.answerRate',
  'service.answeredWithin15s',
  'service.containment',
  'service.timeToAnswer.p50Seconds',
  'sms.answeredWithin3min',
  'firstContact.resolution',
  'cases.received',
  'cases.onTime.dispatch',
  'cases.onTime.accept',
  'cases.onTime.reply',
  'cases.returned',
  'cases.extensionsApproved',
  'cases.escalations',
  'cases.merged',
  'cases.reopened',
  'cases.callbackReach',
  'cases.satisfaction',
];

const num = (v: number | null, asRate: boolean) => (v === null ? '—' : asRate ? `${(v * 100).toFixed(1)}%` : String(Math.round(v * 10) / 10));

/** The change from a comparison: percentage points for a rate, per cent for a count. */
function change(now: number | null, before: number | null, asRate: boolean): string {
  if (now === null || before === null) return '—';
  if (asRate) return `${now >= before ? '+' : ''}${((now - before) * 100).toFixed(1)}pt`;
  if (before === 0) return now === 0 ? '0' : 'new';
  return `${now >= before ? '+' : ''}${(((now - before) / before) * 100).toFixed(1)}%`;
}

function table(head: string[], rows: string[][], more = 0): string {
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body || `<tr><td colspan="${head.length}">—</td></tr>`}</tbody></table>${more > 0 ? `<div class="more">… ${more} more in the CSV / XLSX</div>` : ''}`;
}

const rateCell = (r: Rate) => esc(fmtRate(r));
const section = (title: string, inner: string) => `<section><h2>${esc(title)}</h2>${inner}</section>`;

/**
 * The printable report: one A4 sheet (print CSS) for leaders — the key figures with their
 * comparisons, four charts drawn as SVG, the league, and the first lines of what needs
 * attention. Every table in full is in the CSV and the XLSX.
 */
export function reportHtml(r: Report): string {
  const c = r.current;
  const [now, prev, year] = [measuresOf(r.current), measuresOf(r.previous), measuresOf(r.yearBefore)];
  const kpi = (label: string, value: string) => `<div class="kpi"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const kpis = [
    kpi('受理量 Cases', String(c.cases.received)),
    kpi('按时办结率 On-time reply', fmtRate(c.cases.onTime.reply)),
    kpi('满意率 Satisfaction', fmtRate(c.cases.satisfaction)),
    ...(c.service ? [kpi('接通率 Answer rate', fmtRate(c.service.answerRate)), kpi('15秒接通率 Within 15 s', fmtRate(c.service.answeredWithin15s))] : []),
    ...(c.firstContact ? [kpi('一次解决率 First contact', fmtRate(c.firstContact.resolution))] : []),
    kpi('超期 Overdue now', String(r.overdue.count)),
  ].join('');
  const charts = [
    bars('类别 Categories', r.top.categoryGroups),
    bars('区域 Districts', r.top.districts),
    svgChart({
      title: { text: '渠道 Channels', textStyle: { fontSize: 11 } },
      series: [{ type: 'pie', radius: ['28%', '55%'], center: ['50%', '58%'], data: c.cases.byChannel.map((x) => ({ name: x.key, value: x.count })), label: { formatter: '{b} {c}', fontSize: 9 } }],
    }),
    svgChart({
      title: { text: '按时办结率 On-time reply', textStyle: { fontSize: 11 } },
      grid: { left: 70, right: 34, top: 24, bottom: 14 },
      xAxis: { type: 'value', max: 100, axisLabel: { show: false }, splitLine: { show: false } },
      yAxis: { type: 'category', inverse: true, data: r.league.slice(0, 7).map((l) => l.department) },
      series: [{ type: 'bar', barMaxWidth: 14, data: r.league.slice(0, 7).map((l) => (l.reply.rate === null ? 0 : Math.round(l.reply.rate * 1000) / 10)), label: { show: true, position: 'right', formatter: '{c}%' } }],
    }),
  ];
  const measureRows = KEY_MEASURES.filter((n) => now.has(n)).map((n) => {
    const asRate = !!now.get(n)!.rate;
    const [a, b, y] = [now.get(n)?.value ?? null, prev.get(n)?.value ?? null, year.get(n)?.value ?? null];
    return [esc(MEASURE_NAMES[n]!), num(a, asRate), num(b, asRate), esc(change(a, b, asRate)), esc(change(a, y, asRate))];
  });
  const league = r.league.slice(0, 12).map((l, i) => [String(i + 1), esc(l.department), String(l.received), rateCell(l.accept), rateCell(l.reply), rateCell(l.satisfaction), String(l.returned)]);
  const first = <T>(xs: T[]) => xs.slice(0, SHOWN);
  const attention = [
    section(`超期未办 Still overdue (${r.overdue.count})`, table(['case', 'dept', 'step', 'due'], first(r.overdue.cases).map((x) => [esc(x.id), esc(x.department ?? '—'), esc(x.step ?? ''), esc(x.dueAt.slice(0, 10))]), r.overdue.count - SHOWN)),
    section('上升话题 Rising topics', table(['topic', 'cases', '× baseline'], first(r.insights.rising).map((x) => [esc(x.key), String(x.count), String(x.ratio)]), r.insights.rising.length - SHOWN)),
    section('重复投诉 Complaint clusters', table(['place', 'complaints'], first(r.insights.clusters).map((x) => [esc(x.place), String(x.count)]), r.insights.clusters.length - SHOWN)),
    section('知识库未答 Unanswered questions', table(['question', 'asked'], first(r.insights.unanswered).map((x) => [esc(x.question), String(x.count)]), r.insights.unanswered.length - SHOWN)),
    section(
      `满意度 Survey — 回访率 ${fmtRate(r.survey.responseRate)} · 满意率 ${fmtRate(r.survey.satisfaction)} · 重办 ${r.survey.reopened.count}`,
      table(['不满意原因 reason', 'cases'], first(r.survey.reasons).map((x) => [esc(x.reason), String(x.count)]), r.survey.reasons.length - SHOWN),
    ),
    section('热点类别 Top categories', table(['category', 'cases'], first(r.top.categories).map((x) => [esc(x.key), String(x.count)]), r.top.categories.length - SHOWN)),
  ];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(reportTitle(r))}</title>
<style>
  @page { size: A4; margin: 10mm; }
  * { box-sizing: border-box; }
  body { font: 8.5px/1.3 "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #111; width: 190mm; margin: 0 auto; }
  h1 { font-size: 15px; margin: 0; } h2 { font-size: 9.5px; margin: 4px 0 2px; }
  .meta { color: #555; margin: 1px 0 4px; }
  .kpis { display: grid; grid-template-columns: repeat(7, 1fr); gap: 3px; margin-bottom: 3px; }
  .kpi { border: 1px solid #bbb; padding: 2px; text-align: center; } .kpi b { display: block; font-size: 13px; } .kpi span { color: #555; font-size: 7.5px; }
  .charts { display: grid; grid-template-columns: repeat(4, 1fr); } .charts svg { width: 100%; height: auto; display: block; }
  .two { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 4px 6px; }
  table { border-collapse: collapse; width: 100%; table-layout: auto; }
  th, td { border-bottom: 1px solid #ddd; padding: 0.5px 3px; text-align: left; overflow-wrap: anywhere; }
  th { border-bottom: 1px solid #888; font-weight: 600; } td + td, th + th { text-align: right; white-space: nowrap; }
  .more { color: #666; font-size: 7.5px; }
  section { break-inside: avoid; }
</style></head><body>
<h1>${esc(reportTitle(r))}</h1>
<div class="meta">${esc(days(c.period))} · 环比 previous ${esc(days(r.previous.period))} · 同比 year before ${esc(days(r.yearBefore.period))} · 生成 generated ${esc(chinaTime(r.generatedAt))}</div>
<div class="kpis">${kpis}</div>
<div class="charts">${charts.join('')}</div>
<div class="two">
${section('指标 Measures', table(['measure', '本期 current', '上期 previous', '环比', '同比'], measureRows))}
${section('部门排名 Department league', table(['#', 'dept', 'received', 'accept', 'reply', 'satisfied', 'returned'], league, r.league.length - league.length))}
</div>
<div class="grid">${attention.join('')}</div>
</body></html>
`;
}

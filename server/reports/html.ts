import * as echarts from 'echarts';
import type { Count } from '../cases/measures.ts';
import { percentColumns, reportTitle } from './export.ts';
import { fmtRate, reportTables, type Cell } from './tables.ts';
import type { Report } from './types.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A chart drawn on the server as SVG (ECharts' server-side rendering): the printed page needs no script. */
function svgChart(option: echarts.EChartsCoreOption, width = 340, height = 210): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, textStyle: { fontFamily: 'sans-serif', fontSize: 10 }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const bars = (title: string, counts: Count[], max = 8) =>
  svgChart({
    title: { text: title, textStyle: { fontSize: 12 } },
    grid: { left: 90, right: 20, top: 30, bottom: 20 },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: counts.slice(0, max).map((c) => c.key || '—') },
    series: [{ type: 'bar', data: counts.slice(0, max).map((c) => c.count), label: { show: true, position: 'right' } }],
  });

function cell(c: Cell, asRate: boolean): string {
  if (c === null) return '—';
  if (typeof c === 'number') return asRate ? `${(c * 100).toFixed(1)}%` : String(Math.round(c * 100) / 100);
  return esc(c);
}

/** The printable report: one A4 page (print CSS), charts as inline SVG, every table of the report. */
export function reportHtml(r: Report): string {
  const c = r.current;
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
      title: { text: '部门按时办结率 On-time reply', textStyle: { fontSize: 12 } },
      grid: { left: 90, right: 30, top: 30, bottom: 20 },
      xAxis: { type: 'value', max: 100 },
      yAxis: { type: 'category', inverse: true, data: r.league.slice(0, 8).map((l) => l.department) },
      series: [{ type: 'bar', data: r.league.slice(0, 8).map((l) => (l.reply.rate === null ? 0 : Math.round(l.reply.rate * 1000) / 10)), label: { show: true, position: 'right', formatter: '{c}%' } }],
    }),
    svgChart({
      title: { text: '渠道 Channels', textStyle: { fontSize: 12 } },
      series: [{ type: 'pie', radius: ['30%', '60%'], center: ['50%', '58%'], data: c.cases.byChannel.map((x) => ({ name: x.key, value: x.count })), label: { formatter: '{b} {c}' } }],
    }),
  ];
  const tables = reportTables(r)
    .filter((t) => t.rows.length > 0)
    .map((t) => {
      const rows = t.rows.map((row) => `<tr>${row.map((x, i) => `<td>${cell(x, percentColumns(t, row).includes(i))}</td>`).join('')}</tr>`).join('');
      return `<section class="t-${t.name}"><h2>${esc(t.title)}</h2><table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></section>`;
    })
    .join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(reportTitle(r))}</title>
<style>
  @page { size: A4; margin: 12mm; }
  body { font: 10px/1.35 "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #111; max-width: 190mm; margin: 0 auto; }
  h1 { font-size: 16px; margin: 0 0 2px; } h2 { font-size: 11px; margin: 8px 0 3px; }
  .meta { color: #555; margin-bottom: 6px; }
  .kpis { display: grid; grid-template-columns: repeat(7, 1fr); gap: 4px; margin-bottom: 6px; }
  .kpi { border: 1px solid #ccc; padding: 3px; text-align: center; } .kpi b { display: block; font-size: 14px; } .kpi span { color: #555; font-size: 8px; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 2px; } .charts svg { width: 100%; height: auto; }
  table { border-collapse: collapse; width: 100%; table-layout: fixed; } th, td { border: 1px solid #ccc; padding: 1px 3px; text-align: left; overflow-wrap: anywhere; }
  th { background: #f2f2f2; } td:nth-child(n+3) { white-space: nowrap; }
  section { break-inside: avoid; } .t-measures td:nth-child(1) { display: none; } .t-measures th:nth-child(1) { display: none; }
  @media print { a { color: inherit; text-decoration: none; } }
</style></head><body>
<h1>${esc(reportTitle(r))}</h1>
<div class="meta">${esc(r.current.period.from)} – ${esc(r.current.period.to)} · 环比 ${esc(r.previous.period.from)} · 同比 ${esc(r.yearBefore.period.from)} · ${esc(r.generatedAt)}</div>
<div class="kpis">${kpis}</div>
<div class="charts">${charts.join('')}</div>
${tables}
</body></html>
`;
}

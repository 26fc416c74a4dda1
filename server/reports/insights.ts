import type { Count, Period, Scope } from '../cases/measures.ts';
import type { ReportsConfig } from './config.ts';
import type { ComplaintCluster, Insights, RisingTopic, UnansweredQuestion } from './types.ts';
import type { ReportSources } from './report.ts';

const SHOWN = 10;

/** Counts, keyed, of the baseline periods (mean) and the current one. */
function compare(kind: RisingTopic['kind'], current: Map<string, number>, baseline: Map<string, number>, periods: number, cfg: ReportsConfig): Omit<RisingTopic, 'caseIds'>[] {
  const { minCount, minRatio } = cfg.file.topics;
  const out: Omit<RisingTopic, 'caseIds'>[] = [];
  for (const [key, count] of current) {
    const base = (baseline.get(key) ?? 0) / periods;
    const ratio = count / Math.max(base, 1);
    if (count >= minCount && ratio >= minRatio) out.push({ kind, key, count, baseline: Math.round(base * 100) / 100, ratio: Math.round(ratio * 100) / 100 });
  }
  return out.sort((a, b) => b.ratio - a.ratio || b.count - a.count || a.key.localeCompare(b.key)).slice(0, SHOWN);
}

/**
 * Topics that rise sharply: categories, districts and words of case descriptions with at least
 * `minCount` cases in the period and `minRatio` times their mean over the baseline periods.
 */
export async function risingTopics(s: ReportSources, current: Period, before: Period[], scope: Scope): Promise<RisingTopic[]> {
  // Only periods wholly inside the record: one before the first case would count as a period of nothing.
  const first = await s.cases.firstCaseAt();
  const baseline = first ? before.filter((p) => p.from >= first) : [];
  if (baseline.length === 0) return [];
  const rows = await s.cases.receivedByPeriod([...baseline, current], scope);
  const last = baseline.length;
  const tally = (field: 'category' | 'district', now: boolean) => {
    const m = new Map<string, number>();
    for (const r of rows) {
      const key = r[field];
      if (key && (r.period === last) === now) m.set(key, (m.get(key) ?? 0) + r.count);
    }
    return m;
  };
  const words = await s.words.counts(current, scope);
  const earlier = await s.words.counts({ from: baseline[0]!.from, to: baseline.at(-1)!.to }, scope);
  const n = baseline.length;
  const found = [
    ...compare('category', tally('category', true), tally('category', false), n, s.config),
    ...compare('district', tally('district', true), tally('district', false), n, s.config),
    ...compare('word', words, earlier, n, s.config),
  ];
  return Promise.all(found.map(async (t) => ({ ...t, caseIds: await s.cases.casesAbout(current, scope, { [t.kind]: t.key }) })));
}

/** The place a complaint is about, as a key: the address up to its house number, or a map cell. */
function placeOf(c: { address: string | null; district: string | null; lat: number | null; lng: number | null }, cellMeters: number): { key: string; label: string } | undefined {
  if (c.address?.trim()) {
    let a = c.address.replace(/[\s\p{P}]+/gu, '');
    if (c.district && a.startsWith(c.district)) a = a.slice(c.district.length);
    a = /^(.*?\d+号)/u.exec(a)?.[1] ?? a;
    if (a) return { key: `${c.district ?? ''}|${a}`, label: c.address.trim() };
  }
  if (c.lat !== null && c.lng !== null) {
    const m = 111_320;
    const y = Math.floor((c.lat * m) / cellMeters);
    const x = Math.floor((c.lng * m * Math.cos((c.lat * Math.PI) / 180)) / cellMeters);
    return { key: `cell|${y}|${x}`, label: `${c.lat.toFixed(4)}, ${c.lng.toFixed(4)}` };
  }
  return undefined;
}

const ranked = (m: Map<string, number>): Count[] => [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

/** Repeated complaints about one place: at least `minCases` complaints (newest first) at one address or map cell. */
export async function complaintClusters(s: ReportSources, period: Period, scope: Scope): Promise<ComplaintCluster[]> {
  const { minCases, cellMeters } = s.config.file.clusters;
  const groups = new Map<string, { labels: Map<string, number>; districts: Map<string, number>; categories: Map<string, number>; ids: string[] }>();
  for (const c of await s.cases.complaintsWithPlace(period, s.config.file.complaintTypes, scope)) {
    const place = placeOf(c, cellMeters);
    if (!place) continue;
    const g = groups.get(place.key) ?? { labels: new Map<string, number>(), districts: new Map<string, number>(), categories: new Map<string, number>(), ids: [] as string[] };
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    bump(g.labels, place.label);
    if (c.district) bump(g.districts, c.district);
    bump(g.categories, c.category);
    g.ids.push(c.id);
    groups.set(place.key, g);
  }
  return [...groups.values()]
    .filter((g) => g.ids.length >= minCases)
    .map((g) => ({ place: ranked(g.labels)[0]!.key, district: ranked(g.districts)[0]?.key ?? null, count: g.ids.length, categories: ranked(g.categories), caseIds: g.ids.slice(0, 50) }))
    .sort((a, b) => b.count - a.count || a.place.localeCompare(b.place))
    .slice(0, 20);
}

/** The questions the knowledge base could not answer (for editors), with the cases their contacts opened. Centre-wide. */
export async function unansweredQuestions(s: ReportSources, period: Period): Promise<UnansweredQuestion[]> {
  const questions = await s.answers.unansweredIn(period, 20);
  const cases = await s.cases.casesFromContacts([...new Set(questions.flatMap((q) => q.callSids))]);
  return questions.map((q) => ({ ...q, caseIds: [...new Set(q.callSids.flatMap((sid) => cases.get(sid) ?? []))] }));
}

export async function insights(s: ReportSources, period: Period, baseline: Period[], scope: Scope): Promise<Insights> {
  return {
    rising: await risingTopics(s, period, baseline, scope),
    clusters: await complaintClusters(s, period, scope),
    // Callers' questions are the centre's, not a department's.
    unanswered: scope.departments ? [] : await unansweredQuestions(s, period),
  };
}

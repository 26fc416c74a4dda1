import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { parse as parseYaml } from 'yaml';
import { chinaDate, chinaMidnight, WorkCalendar } from '../cases/calendar.ts';
import { DeadlinePolicy, type CaseType } from '../cases/deadlines.ts';
import { caseNumber } from '../cases/number.ts';
import { Router, type RoutingDepartment } from '../cases/routing.ts';
import type { CaseRow } from '../cases/service.ts';
import { Departments } from '../departments/service.ts';
import { smsText } from '../knowledge/article.ts';
import { readFolder } from '../knowledge/folder.ts';
import { Templates } from '../notifications/templates.ts';
import type { Database, Store } from '../store/index.ts';
import type { CaseDeadlineMissesTable, CaseEventsTable } from '../store/schema.ts';
import type { CaseHistory } from './case-history.ts';
import { CATEGORIES, DISTRICTS, PINYIN, PLACES, SHOPS, SURNAMES, type CategorySpec, type District } from './catalogue.ts';
import { chinaDay, DAY, dayStart, HOUR, WorkClock } from './clock.ts';
import { Contacts, type ContactRows, type DemoArticle, type Lang, type Question } from './contacts.ts';
import { planCase, type CaseHead, type PlanEnv } from './plan.ts';
import { apportion, Random } from './random.ts';
import { BulkWriter } from './writer.ts';

const REPO = path.resolve(import.meta.dirname, '../..');

/** What a mid-size city's centre handles on an average day. */
export const DEFAULT_VOLUMES = { callsPerDay: 1500, smsPerDay: 300, casesPerDay: 250 } as const;

export interface SeedOptions {
  /** Days of history, ending where `end` is. Default 90. */
  days?: number;
  /** The history ends here (exclusive). Default: the start of today, China time (so it ends yesterday). */
  end?: Date | string;
  /**
   * The seed's "now": the deadline scheduler is followed up to here, so misses already due are
   * recorded and a server started now has nothing to catch up on. Default: `end` when given,
   * else the current time.
   */
  now?: Date | string;
  /** Multiplies every volume below. Default 1. */
  scale?: number;
  /** Mean inbound calls a day (before `scale`): the total is exactly days × callsPerDay × scale. Default 1,500. */
  callsPerDay?: number;
  /** Mean text conversations a day. Default 300. */
  smsPerDay?: number;
  /** Mean cases a day. Default 250. */
  casesPerDay?: number;
  /** The same seed (and options) gives the same history. Default 12345. */
  seed?: number;
  /** Folders of the city's configuration; default this repository's cases/, knowledge/, notifications/. */
  casesDir?: string;
  knowledgeDir?: string;
  notificationsDir?: string;
  /** Share of cases whose history is also replayed through the XState lifecycle machine as a check (0–1). Default 0.02. */
  verify?: number;
  /** Told after each day is written. */
  onProgress?: (p: SeedProgress) => void;
}

export interface SeedCounts {
  calls: number;
  call_assignments: number;
  sms_sessions: number;
  knowledge_answers: number;
  outbox: number;
  cases: number;
  case_events: number;
  case_deadline_misses: number;
}

export interface SeedProgress {
  /** Days written so far, of `days`. */
  day: number;
  days: number;
  /** The China date just written. */
  date: string;
  /** Rows written so far, by table. */
  rows: SeedCounts;
  elapsedMs: number;
}

export interface SeedResult {
  /** The history covers [from, to), China days; `now` as described in SeedOptions. */
  from: string;
  to: string;
  now: string;
  rows: SeedCounts;
  /** Cases still open at `now`, and of those, past a deadline. */
  open: number;
  overdue: number;
  ms: number;
}

/** A city's configuration as the seed reads it. */
export interface DemoConfig {
  policy: DeadlinePolicy;
  calendar: WorkCalendar;
  router: Router;
  templates: Templates;
  articles: DemoArticle[];
  questions: Question[];
}

/** Reads the configuration the server reads (deadlines, calendar, routing, templates) and the knowledge articles with their questions. */
export function loadDemoConfig(dirs: { casesDir?: string; knowledgeDir?: string; notificationsDir?: string } = {}): DemoConfig {
  const casesDir = dirs.casesDir ?? path.join(REPO, 'cases');
  const knowledgeDir = dirs.knowledgeDir ?? path.join(REPO, 'knowledge');
  const calendar = WorkCalendar.load(path.join(casesDir, 'calendar.yaml'));
  const policy = DeadlinePolicy.load(path.join(casesDir, 'deadlines.yaml'), calendar);
  const router = Router.load(path.join(casesDir, 'routing.yaml'));
  const templates = Templates.load(dirs.notificationsDir ?? path.join(REPO, 'notifications'));
  const folder = existsSync(knowledgeDir) ? readFolder(knowledgeDir).articles : [];
  if (folder.length === 0) throw new Error(`${knowledgeDir}: no knowledge articles; the demo history answers callers' questions from them (point knowledgeDir at a knowledge folder)`);
  const articles: DemoArticle[] = folder.map((a) => ({ id: a.id, title: a.title, lang: a.lang, department: a.department, sms: smsText(a) }));
  const known = new Set(articles.map((a) => a.id));
  const questions: Question[] = folder.flatMap((a) => a.questions.map((q) => ({ q, articleId: a.id, lang: a.lang })));
  // The evaluation set: callers' own wording, colloquial, misheard, mixed.
  const evalFile = path.join(knowledgeDir, 'eval', 'questions.yaml');
  if (existsSync(evalFile)) {
    const list = parseYaml(readFileSync(evalFile, 'utf8')) as Array<{ q?: unknown; expect?: unknown }> | null;
    for (const e of list ?? []) {
      if (typeof e?.q !== 'string' || typeof e.expect !== 'string' || !known.has(e.expect)) continue;
      questions.push({ q: e.q, articleId: e.expect, lang: /\p{Script=Han}/u.test(e.q) ? 'zh-CN' : 'en-US' });
    }
  }
  return { policy, calendar, router, templates, articles, questions };
}

/** Calls by China hour: quiet at night, peaks at 9–11 and 14–16. */
const HOURS = [0.4, 0.25, 0.15, 0.12, 0.12, 0.2, 0.5, 1.5, 4.5, 8.5, 9.5, 8.5, 4.5, 5.5, 8, 8.5, 8, 6, 4, 3.5, 3, 2.5, 1.5, 0.8];
/** Late evening and the small hours: when a barbecue's neighbours call. */
const NIGHT = [3, 2, 0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 5, 5];
/** By weekday (Sunday first): weekends lighter. */
const WEEKDAY = [0.58, 1.12, 1.05, 1.0, 1.0, 0.97, 0.64];

const AGENTS = PINYIN.slice(0, 24).map((p) => `agent-${p}`);
const SUPERVISORS = ['supervisor-chen', 'supervisor-zhou', 'supervisor-he'];

/** A pool of fictional mobile numbers (+86 1380000xxxx …): a few callers call often, most now and then. */
class Callers {
  private readonly frequent: number;

  constructor(
    private readonly rng: Random,
    private readonly size: number,
  ) {
    this.frequent = Math.max(1, Math.floor(size * 0.05));
  }

  static phone(i: number): string {
    return `+86138${String(i).padStart(8, '0')}`;
  }

  pick(): string {
    return Callers.phone(this.rng.chance(0.3) ? this.rng.int(0, this.frequent - 1) : this.rng.int(0, this.size - 1));
  }
}

/** A request type drawn by the category's weights. */
const typeOf = (rng: Random, spec: CategorySpec): CaseType => rng.weighted(spec.types as Record<CaseType, number>);

/**
 * Writes a generated history of a centre into the store: `days` days of inbound calls (with the
 * knowledge base's answers and the agents' take-overs), text conversations (with the agents'
 * first texts), and cases with every move of their lifecycle, their deadlines and the misses
 * the scheduler recorded, as the capabilities themselves write them. Deterministic for a seed.
 * Rows are written directly, day by day, in multi-row inserts inside one transaction a day.
 */
export async function seedHistory(store: Pick<Store, 'db' | 'dialect'>, opts: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const db = store.db;
  const config = loadDemoConfig(opts);
  const days = Math.max(1, Math.floor(opts.days ?? 90));
  const end = opts.end !== undefined ? new Date(opts.end).getTime() : chinaMidnight(chinaDate(new Date())).getTime();
  const now = Math.max(end, opts.now !== undefined ? new Date(opts.now).getTime() : opts.end !== undefined ? end : Date.now());
  if (!Number.isFinite(end) || !Number.isFinite(now)) throw new RangeError('end and now must be dates');
  const scale = opts.scale ?? 1;
  const lastDay = chinaDay(end - 1);
  const firstDay = lastDay - days + 1;
  const totals = {
    calls: Math.round((opts.callsPerDay ?? DEFAULT_VOLUMES.callsPerDay) * scale * days),
    sms: Math.round((opts.smsPerDay ?? DEFAULT_VOLUMES.smsPerDay) * scale * days),
    cases: Math.round((opts.casesPerDay ?? DEFAULT_VOLUMES.casesPerDay) * scale * days),
  };
  /** How big the city is against the default: hot spots and surges grow with it. */
  const size = totals.cases / days / DEFAULT_VOLUMES.casesPerDay;

  // The catalogue the routing rules dispatch to (the server seeds it the same way on first start).
  const departments = new Departments(db);
  await departments.seed(config.router.file.departments);
  const catalogue: RoutingDepartment[] = (await departments.list()).map((d) => ({ code: d.code, name: d.name, active: d.active }));
  const codes = new Set(catalogue.map((d) => d.code));

  // A store seeded before (with --force) keeps its rows: ids are drawn from another stream and numbers continue the day's sequence.
  const existing = Number((await db.selectFrom('calls').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())?.n ?? 0);
  const rng = new Random((opts.seed ?? 12345) ^ Math.imul(existing, 0x9e3779b1));
  const checker = new Random((opts.seed ?? 12345) + 1);
  const verifyShare = opts.verify ?? 0.02;
  const sequences = new Map((await db.selectFrom('case_sequences').selectAll().where('day', '>=', isoDay(firstDay)).where('day', '<=', isoDay(lastDay)).execute()).map((r) => [r.day, r.last]));
  const flowVersions = await liveVersions(db);

  const clock = new WorkClock(config.calendar);
  const articles = new Map(config.articles.map((a) => [a.id, a]));
  const questions = { 'zh-CN': config.questions.filter((q) => q.lang === 'zh-CN'), 'en-US': config.questions.filter((q) => q.lang === 'en-US') } satisfies Record<Lang, Question[]>;
  const handlers = new Map<string, string[]>();
  const handlersOf = (code: string) => {
    let list = handlers.get(code);
    if (!list) {
      const slug = code.toLowerCase().replace(/_/g, '-');
      let h = 0;
      for (const ch of code) h = (h * 31 + ch.charCodeAt(0)) % 1000;
      list = [0, 1, 2].map((i) => `${slug}-${PINYIN[(h + i * 7) % PINYIN.length]}`);
      handlers.set(code, list);
    }
    return list;
  };
  const env: PlanEnv = { rng, clock, policy: config.policy, rules: config.policy.rules, end, now, handlers: handlersOf, agents: AGENTS, supervisors: SUPERVISORS, departments: codes };

  const callers = new Callers(rng, Math.max(500, Math.round((totals.calls + totals.sms + totals.cases) * 0.6)));
  const neighbours = Array.from({ length: 12 }, () => callers.pick());
  const recent: Array<{ id: string; phone: string }> = [];
  const rows: ContactRows = { calls: [], call_assignments: [], sms_sessions: [], knowledge_answers: [], outbox: [] };
  const contacts = new Contacts({ rng, articles, questions, agents: AGENTS, flowVersions, recentCases: () => recent, rows });
  const writer = new BulkWriter(store.dialect);
  const counts: SeedCounts = { calls: 0, call_assignments: 0, sms_sessions: 0, knowledge_answers: 0, outbox: 0, cases: 0, case_events: 0, case_deadline_misses: 0 };
  /** The open case each place's repeats are merged into (并单), while it is open. */
  const masters = new Map<string, { id: string; created: number; until: number }>();

  // Each day's share: weekdays busier than weekends and holidays, and no two days alike.
  const weights = Array.from({ length: days }, (_, i) => {
    const day = firstDay + i;
    const dow = new Date(day * DAY).getUTCDay();
    const weekend = dow === 0 || dow === 6;
    const work = clock.isWorkday(day);
    const base = work ? (weekend ? 0.95 : WEEKDAY[dow]!) : weekend ? WEEKDAY[dow]! : 0.6;
    return base * rng.between(0.93, 1.07);
  });
  const callsByDay = apportion(totals.calls, weights);
  const smsByDay = apportion(totals.sms, weights);
  const casesByDay = apportion(totals.cases, weights);

  const ctx: HeadContext = { rng, config, catalogue, codes, callers, neighbours, size, lastDay, articles };
  // SQLite: a page cache big enough for the indexes being filled (random ids touch every page); put back afterwards.
  const cacheSize = store.dialect === 'sqlite' ? (await sql<{ cache_size: number }>`pragma cache_size`.execute(db)).rows[0]?.cache_size : undefined;
  if (cacheSize !== undefined) await sql`pragma cache_size = -65536`.execute(db);
  let open = 0;
  let overdue = 0;
  try {
    for (let i = 0; i < days; i++) {
      const day = firstDay + i;
      const date = isoDay(day);
      const heads = caseHeads(ctx, day, casesByDay[i]!);
      let seq = sequences.get(date) ?? 0;
      const cases: CaseRow[] = [];
      const events: CaseEventsTable[] = [];
      const misses: CaseDeadlineMissesTable[] = [];
      let voiceCalls = 0;
      let conversations = 0;
      for (const head of heads) {
        head.id = caseNumber(date, ++seq);
        head.pin = String(rng.int(0, 9999)).padStart(4, '0');
        if (head.channel === 'voice' && voiceCalls < callsByDay[i]!) {
          head.callSid = contacts.callForCase(head);
          voiceCalls++;
        } else if (head.channel === 'sms' && conversations < smsByDay[i]!) {
          head.callSid = contacts.conversationForCase(head);
          conversations++;
          // The agent's first text is the case's own: its number and PIN (notifications/case.created).
          const body = config.templates.sms('case.created', head.lang, { case: head.id, pin: head.pin, type: head.type, category: head.category });
          if (body) contacts.outbox({ kind: 'case.created', to: head.callerPhone, lang: head.lang, body, caseId: head.id, at: head.created });
        }
        // A repeat about a place whose case is still open is merged into it (并单) — some of the time.
        const key = head.address ? `${head.category}|${head.district}|${head.address}` : undefined;
        const master = key ? masters.get(key) : undefined;
        if (master && master.until > head.created && head.created - master.created < 7 * DAY && rng.chance(head.hot ? 0.4 : 0.1)) head.master = master.id;

        const { history, callbacks } = planCase(head, env);
        if (checker.chance(verifyShare)) history.verify();
        for (const cb of callbacks) contacts.callback(cb);
        if (key && !head.master && (!master || master.until <= head.created)) masters.set(key, { id: head.id, created: head.created, until: history.finished ? history.last : Infinity });
        if (!history.finished) {
          open++;
          if (history.due && history.due.at <= now) overdue++;
        }
        cases.push(caseRow(head, history));
        for (const e of history.events) events.push({ case_id: head.id, seq: e.seq, type: e.type, from_state: e.from, to_state: e.to, by_user: e.by, at: new Date(e.at).toISOString(), reason: e.reason, note: e.note, event: e.json });
        for (const m of history.misses) misses.push({ case_id: head.id, step: m.step, kind: m.kind, due_at: new Date(m.due).toISOString(), at: new Date(m.at).toISOString() });
      }
      for (let n = voiceCalls; n < callsByDay[i]!; n++) contacts.call(timeIn(rng, day, HOURS), callers.pick());
      for (let n = conversations; n < smsByDay[i]!; n++) contacts.conversation(timeIn(rng, day, HOURS), callers.pick());

      await db.transaction().execute(async (trx) => {
        for (const table of ['calls', 'call_assignments', 'sms_sessions', 'knowledge_answers', 'outbox'] as const) {
          await writer.insert(trx, table, rows[table]);
          counts[table] += rows[table].length;
          rows[table].length = 0;
        }
        await writer.insert(trx, 'cases', cases);
        await writer.insert(trx, 'case_events', events);
        await writer.insert(trx, 'case_deadline_misses', misses);
        if (heads.length) {
          // The day's numbering continues after the seed: Cases.create draws the next number from here.
          await trx
            .insertInto('case_sequences')
            .values({ day: date, last: seq })
            .onConflict((oc) => oc.column('day').doUpdateSet({ last: seq }))
            .execute();
        }
      });
      // Callers ask about their cases from the next day on.
      for (const h of heads) if (h.callerPhone) recent.push({ id: h.id, phone: h.callerPhone });
      if (recent.length > 500) recent.splice(0, recent.length - 500);
      counts.cases += cases.length;
      counts.case_events += events.length;
      counts.case_deadline_misses += misses.length;
      opts.onProgress?.({ day: i + 1, days, date, rows: { ...counts }, elapsedMs: Date.now() - started });
    }
  } finally {
    if (cacheSize !== undefined) await sql.raw(`pragma cache_size = ${Number(cacheSize)}`).execute(db);
  }
  // The planner's statistics, as a live store gathers them over time: without them the first reports
  // on a freshly filled store may scan where an index serves. On PostgreSQL the vacuum also marks the
  // loaded pages all-visible (autovacuum would, later), so counts read the index alone, as they do on
  // a store that has been running: a never-vacuumed table visits every row's page (the live tiles'
  // overdue count took 80 ms instead of 2 at 1M cases).
  if (store.dialect === 'postgres') {
    // This schema's tables only: a bare VACUUM would go through every schema of the database.
    const tables = await sql<{ name: string }>`select quote_ident(tablename) as name from pg_tables where schemaname = current_schema()`.execute(db);
    await sql.raw(`vacuum analyze ${tables.rows.map((t) => t.name).join(', ')}`).execute(db);
  } else await sql`analyze`.execute(db);
  return { from: isoDay(firstDay), to: isoDay(lastDay + 1), now: new Date(now).toISOString(), rows: counts, open, overdue, ms: Date.now() - started };
}

const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** An instant of the China day, by the hour weights. */
function timeIn(rng: Random, day: number, hours: readonly number[]): number {
  return dayStart(day) + rng.index(hours) * HOUR + Math.floor(rng.next() * HOUR);
}

/** The live version of each shipped flow if the store has them (a server ran), else 1: the version the first start publishes. */
async function liveVersions(db: Kysely<Database>): Promise<{ main: number; sms: number; callback: number }> {
  const rows = await db.selectFrom('flow_aliases').select(['flow_id', 'version']).where('alias', '=', 'live').execute();
  const v = (id: string) => rows.find((r) => r.flow_id === id)?.version ?? 1;
  return { main: v('main'), sms: v('sms'), callback: v('callback') };
}

function caseRow(h: CaseHead, history: CaseHistory): CaseRow {
  const due = history.due;
  const next = history.nextCheck;
  return {
    id: h.id,
    type: h.type,
    category: h.category,
    urgency: h.urgency,
    caller_phone: h.callerPhone,
    caller_name: h.callerName,
    district: h.district,
    address: h.address,
    description: h.description,
    channel: h.channel,
    call_sid: h.callSid,
    article_id: h.articleId,
    department: history.context.department,
    state: history.state,
    snapshot: history.snapshot(),
    version: history.version,
    due_step: due?.step ?? null,
    due_at: due ? new Date(due.at).toISOString() : null,
    warn_at: due ? new Date(due.warn).toISOString() : null,
    next_check_at: next === null ? null : new Date(next).toISOString(),
    lang: h.lang,
    lat: h.lat,
    lng: h.lng,
    pin: h.pin,
    created_at: new Date(h.created).toISOString(),
    updated_at: new Date(history.last).toISOString(),
  };
}

// ---- what comes in: the requests of a day ------------------------------------------------

interface HeadContext {
  rng: Random;
  config: DemoConfig;
  catalogue: RoutingDepartment[];
  codes: ReadonlySet<string>;
  callers: Callers;
  /** The barbecue's neighbours: the same dozen people call night after night. */
  neighbours: string[];
  /** The city's size against the default volumes. */
  size: number;
  lastDay: number;
  articles: ReadonlyMap<string, DemoArticle>;
}

type Draft = Omit<CaseHead, 'id' | 'pin' | 'callSid' | 'department' | 'by' | 'spec' | 'channel' | 'callerPhone' | 'lang' | 'callerName' | 'articleId' | 'lat' | 'lng'> &
  Partial<Pick<CaseHead, 'channel' | 'callerPhone' | 'lat' | 'lng' | 'articleId'>>;

const SPEC = new Map(CATEGORIES.map((c) => [c.category, c]));
const CATEGORY_WEIGHTS = CATEGORIES.map((c) => c.weight);
const DISTRICT_WEIGHTS = DISTRICTS.map((d) => d.weight);

/** A hot spot or surge on a day: how many requests it brings, and one of them. */
interface Special {
  count: number;
  make: () => Draft;
}

/**
 * The hot spots and surges of the day: a barbecue's noise night after night at one address for
 * two weeks, a building site's night work, a gym that closed without refunds, and in the last
 * week water cut off across 北湖区 and a broken traffic light in 高新区.
 */
function specials(ctx: HeadContext, day: number): Special[] {
  const { rng, size, lastDay } = ctx;
  const ago = lastDay + 1 - day; // 1 = yesterday
  const out: Special[] = [];
  const n = (x: number) => Math.floor(x * size + rng.next());
  if (ago >= 7 && ago <= 20) {
    const place = PLACES.barbecue;
    out.push({
      count: n(rng.between(4, 9)),
      make: () => ({
        created: timeIn(rng, day, NIGHT),
        type: rng.chance(0.85) ? '投诉' : '举报',
        category: '城市管理/噪音',
        urgency: 'normal',
        district: place.district,
        address: place.address,
        description: rng.pick([
          `${place.address}${place.shop}每天晚上营业到凌晨两点，顾客喧哗、音响噪音很大，严重影响休息。`,
          `${place.shop}（${place.address}）夜间噪音扰民，已经反映过多次了，还是没有改善。`,
          `${place.address}烧烤店的排风扇和顾客划拳噪音太大，晚上根本睡不着，家里孩子要高考。`,
          `楼下${place.shop}外摆占道到深夜，噪音和油烟都很大，地址${place.address}。`,
        ]),
        callerPhone: rng.pick(ctx.neighbours),
        lat: place.lat,
        lng: place.lng,
      }),
    });
  }
  if (ago >= 44 && ago <= 50) {
    const place = PLACES.site;
    out.push({
      count: n(rng.between(2, 6)),
      make: () => ({
        created: timeIn(rng, day, NIGHT),
        type: '投诉',
        category: '城市管理/噪音',
        urgency: 'normal',
        district: place.district,
        address: place.address,
        description: rng.pick([`${place.address}工地每天夜里十二点后还在打桩施工，噪音很大。`, `${place.shop}夜间渣土车进出，施工噪音扰民，请查处。`]),
        lat: place.lat,
        lng: place.lng,
      }),
    });
  }
  if (ago >= 26 && ago <= 32) {
    const place = PLACES.gym;
    out.push({
      count: n([8, 6, 5, 3, 2, 2, 1][32 - ago]!),
      make: () => ({
        created: timeIn(rng, day, HOURS),
        type: rng.chance(0.9) ? '投诉' : '举报',
        category: '市场监管/消费维权',
        urgency: 'normal',
        district: place.district,
        address: place.address,
        description: rng.pick([`${place.shop}（${place.address}）突然闭店，办的年卡不给退款，要求商家退还剩余费用。`, `${place.address}的${place.shop}老板失联，会员卡余额${rng.int(2, 9)}千元无法退款。`]),
      }),
    });
  }
  if (ago <= 6) {
    const district = DISTRICTS.find((d) => d.name === PLACES.water.district)!;
    out.push({
      count: n([8, 15, 24, 18, 9, 3][ago - 1]!),
      make: () => {
        const community = rng.pick(district.communities);
        return {
          created: timeIn(rng, day, HOURS),
          type: rng.chance(0.6) ? '求助' : '投诉',
          category: '公用事业/供水',
          urgency: rng.chance(0.1) ? 'urgent' : 'normal',
          district: district.name,
          address: community,
          description: rng.pick([
            `${district.name}${community}停水超过${rng.int(12, 48)}小时，没有停水通知，请尽快恢复供水。`,
            `${community}这周第${rng.int(2, 4)}次停水，水压也很低，请尽快恢复供水。`,
            `${community}停水后恢复供水，自来水浑浊发黄，请检测水质。`,
          ]),
          surge: true,
        };
      },
    });
  }
  if (ago <= 3) {
    const place = PLACES.signal;
    out.push({
      count: n([5, 7, 4][ago - 1]!),
      make: () => ({
        created: timeIn(rng, day, HOURS),
        type: '求助',
        category: '交通/信号灯',
        urgency: rng.chance(0.2) ? 'urgent' : 'normal',
        district: place.district,
        address: place.address,
        description: rng.pick([`${place.address}的信号灯故障，早晚高峰车辆拥堵严重。`, `${place.address}红绿灯全部黄灯闪烁，行人过马路很危险。`]),
        lat: place.lat,
        lng: place.lng,
      }),
    });
  }
  return out;
}

/** An ordinary request of the day. */
function ordinary(ctx: HeadContext, day: number): Draft {
  const { rng } = ctx;
  const spec = CATEGORIES[rng.index(CATEGORY_WEIGHTS)]!;
  const district = DISTRICTS[rng.index(DISTRICT_WEIGHTS)]!;
  const { description, address } = describe(rng, spec, district);
  const type = typeOf(rng, spec);
  const urgent = spec.urgent !== undefined && type !== '咨询' && type !== '建议' && rng.chance(spec.urgent);
  return { created: timeIn(rng, day, HOURS), type, category: spec.category, urgency: urgent ? 'urgent' : 'normal', district: district.name, address, description };
}

/** Fills a template of the category with places of the district. */
function describe(rng: Random, spec: CategorySpec, district: District): { description: string; address: string | null } {
  const template = rng.pick(spec.templates);
  let address: string | null = null;
  const addr = () => `${rng.pick(district.streets)}${rng.int(1, 320)}号`;
  // Mostly a building, so that ordinary requests rarely share an address: the places that recur are the hot spots.
  const community = () => `${rng.pick(district.communities)}${rng.chance(0.8) ? `${rng.int(1, 36)}栋` : ''}`;
  const place = (value: string) => (address ??= value);
  const description = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    switch (name) {
      case 'place':
        return place(rng.chance(0.7) ? addr() : community());
      case 'addr':
        return place(addr());
      case 'community':
        return place(community());
      case 'cross': {
        const [a, b] = [rng.pick(district.streets), rng.pick(district.streets)];
        return place(a === b ? `${a}${rng.int(1, 99)}号` : `${a}与${b}交叉口`);
      }
      case 'shop':
        return rng.pick(SHOPS);
      case 'district':
        return district.name;
      case 'n':
        return String(rng.int(2, 9));
      case 'hours':
        return String(rng.int(6, 48));
      default:
        return '';
    }
  });
  return { description, address };
}

/** The day's requests, in the order they came in, with who took them and where they go. */
function caseHeads(ctx: HeadContext, day: number, total: number): CaseHead[] {
  const { rng } = ctx;
  const special = specials(ctx, day);
  let budget = total;
  const drafts: Draft[] = [];
  for (const s of special) {
    const count = Math.min(s.count, Math.floor(budget * 0.6));
    for (let k = 0; k < count; k++) drafts.push({ ...s.make(), hot: true });
    budget -= count;
  }
  for (let k = 0; k < budget; k++) drafts.push(ordinary(ctx, day));
  drafts.sort((a, b) => a.created - b.created);
  return drafts.map((d) => head(ctx, d));
}

function head(ctx: HeadContext, d: Draft): CaseHead {
  const { rng, config } = ctx;
  const spec = SPEC.get(d.category)!;
  let channel = d.channel ?? rng.weighted({ voice: 62, sms: 8, web: 18, open311: 12 });
  if (channel === 'open311' && !spec.open311) channel = rng.weighted({ voice: 70, sms: 10, web: 20 });
  const lang: Lang = (channel === 'voice' || channel === 'web') && rng.chance(0.03) ? 'en-US' : 'zh-CN';
  const articleIds = (spec.articles ?? []).filter((id) => ctx.articles.has(id));
  const articleId = d.articleId ?? (d.type === '咨询' && articleIds.length && rng.chance(0.6) ? rng.pick(articleIds) : null);
  const decision = config.router.route({ type: d.type, category: d.category, district: d.district, description: d.description, articleDepartment: articleId ? ctx.articles.get(articleId)?.department : undefined }, ctx.catalogue);
  // The rules are a suggestion the agent confirms: where they only find the centre's own desk, the agent picks the obvious department.
  const department = decision.because === 'fallback' && spec.agentChoice && ctx.codes.has(spec.agentChoice) ? spec.agentChoice : decision.department;
  const withoutPhone = channel === 'open311' && rng.chance(0.1);
  const callerPhone = withoutPhone ? '' : (d.callerPhone ?? ctx.callers.pick());
  const district = DISTRICTS.find((x) => x.name === d.district);
  const positioned = channel === 'open311';
  return {
    ...d,
    id: '',
    pin: '',
    callSid: null,
    spec,
    channel,
    lang,
    callerPhone,
    callerName: rng.chance(0.4) ? `${rng.pick(SURNAMES)}${rng.chance(0.5) ? '先生' : '女士'}` : null,
    articleId,
    department,
    by: channel === 'open311' ? 'open311' : channel === 'web' ? 'system' : rng.pick(AGENTS),
    lat: positioned ? (d.lat ?? Number(((district?.lat ?? 30.25) + rng.between(-0.02, 0.02)).toFixed(5))) : null,
    lng: positioned ? (d.lng ?? Number(((district?.lng ?? 120.15) + rng.between(-0.02, 0.02)).toFixed(5))) : null,
  };
}


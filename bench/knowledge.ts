/**
 * `npm run bench -- knowledge`: Hotline's knowledge-base search next to FlexSearch (default
 * and CJK encoder), MiniSearch and Orama, on the shipped articles and eval set and on a
 * generated corpus of 50,000 articles that keeps the shipped ones inside it.
 *
 * Per engine and corpus: recall@1 / recall@3 / MRR on knowledge/eval/questions.yaml, query
 * time p50/p99 (µs, timed as server/knowledge/eval.ts does: 20 warm-up searches, then each
 * question once), build time and heap held after the build. Every engine × corpus runs in its
 * own child process (`node --expose-gc`), one at a time, so that heap figures are per engine
 * and runs do not compete for the CPU. Then Hotline's start-up from its saved index cache, if
 * `KnowledgeBase.open({ cacheDir })` exists.
 *
 * The generated corpus is written under os.tmpdir() and removed afterwards (--keep keeps it).
 * Progress on stderr; the results table on stdout and in the `## knowledge` section of
 * docs/benchmarks.md (the rest of the file is kept).
 *
 * Flags: --size N (generated corpus size, default 50000), --quick (5,000 articles),
 * --engines a,b (subset; hotline always included), --no-write, --keep, --seed N,
 * --build-cap S (stop a competitor's 50k build after S seconds; default 240),
 * --query-cap S (a competitor slower than this on the eval set at 50k answers every k-th
 * question instead; default 240: enough for MiniSearch to answer every question and Orama about a hundred), --full (Orama + jieba at 50k too; adds minutes).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import { generateCorpus } from './knowledge/corpus.ts';
import { ENGINES, ENGINE_SETUP, runWorker, type EngineName, type WorkerResult, type WorkerSpec } from './knowledge/engines.ts';
import { f0, f1, machine, numberArg, table, writeSection } from './lib/report.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const DOC = path.join(REPO, 'docs', 'benchmarks.md');
const KNOWLEDGE = path.join(REPO, 'knowledge');
const QUESTIONS = path.join(KNOWLEDGE, 'eval', 'questions.yaml');

const GOALS = { p99Us: 1000 };

const t0 = performance.now();
function progress(msg: string): void {
  process.stderr.write(`[bench knowledge +${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`);
}

interface Options {
  size: number;
  engines: EngineName[];
  write: boolean;
  keep: boolean;
  seed: number;
  buildCapS: number;
  queryCapS: number;
  full: boolean;
}

function parseArgs(args: string[]): Options {
  const num = (name: string, dflt: number) => numberArg(args, name, dflt);
  const e = args.indexOf('--engines');
  let engines: EngineName[] = [...ENGINES];
  if (e >= 0) {
    const want = (args[e + 1] ?? '').split(',').filter(Boolean);
    for (const w of want) if (!(ENGINES as readonly string[]).includes(w)) throw new Error(`unknown engine ${w}; known: ${ENGINES.join(', ')}`);
    engines = ENGINES.filter((x) => x === 'hotline' || want.includes(x));
  }
  return {
    size: num('--size', args.includes('--quick') ? 5000 : 50_000),
    engines,
    write: !args.includes('--no-write'),
    keep: args.includes('--keep'),
    seed: num('--seed', 12345),
    buildCapS: num('--build-cap', 240),
    queryCapS: num('--query-cap', 240),
    full: args.includes('--full'),
  };
}

// ---------------------------------------------------------------- child processes

interface RunOutcome {
  spec: WorkerSpec;
  result?: WorkerResult;
  error?: string;
  wallMs: number;
}

/** One engine on one corpus, in a fresh `node --expose-gc` process. */
function runChild(spec: WorkerSpec, timeoutMs: number): Promise<RunOutcome> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=8192', path.join(REPO, 'bin', 'bench.mjs'), 'knowledge', '--worker', JSON.stringify(spec)],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  let out = '';
  let errTail = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    errTail = (errTail + c).slice(-4000);
    for (const line of c.split('\n')) if (line.trim()) process.stderr.write(`${line}\n`);
  });
  let last = performance.now();
  const beat = setInterval(() => {
    if (performance.now() - last > 14_000) {
      last = performance.now();
      progress(`  ${spec.engine}/${spec.corpus}: still working (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
  }, 1000);
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(beat);
      clearTimeout(kill);
      const wallMs = performance.now() - started;
      const m = /@@RESULT (.*)\n?$/m.exec(out);
      if (code === 0 && m) resolve({ spec, result: JSON.parse(m[1]!) as WorkerResult, wallMs });
      else {
        const lines = errTail.trim().split('\n').map((l) => l.trim()).filter(Boolean);
        const telling = lines.filter((l) => /Fatal error|Check failed|RangeError|Error:|heap out of memory|JsonStringify|JSON/.test(l)).slice(0, 4);
        const why = signal === 'SIGKILL' ? `killed after ${(timeoutMs / 1000).toFixed(0)} s` : `exit ${code ?? signal}: ${(telling.length ? telling : lines.slice(-3)).join(' / ')}`;
        resolve({ spec, wallMs, error: why.replace(/\|/g, '/') });
      }
    });
  });
}

// ---------------------------------------------------------------- report helpers


const pct = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? 'n/a' : `${(n * 100).toFixed(1)}%`);
const secs = (ms: number | undefined) => (ms === undefined ? 'n/a' : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? '**PASS**' : '**MISS**');



/** The generated variants carry their base article's id after a g000123- prefix. */
const topicOf = (id: string) => id.replace(/^g\d{6}-/, '');

/** Does `KnowledgeBase.open` take a `cacheDir` in the checked-out code? */
function cacheSupport(): { supported: boolean; why: string } {
  const service = path.join(REPO, 'server', 'knowledge', 'service.ts');
  const src = existsSync(service) ? readFileSync(service, 'utf8') : '';
  if (!/cacheDir\??:/.test(src)) return { supported: false, why: '`KnowledgeOptions` has no `cacheDir` in server/knowledge/service.ts' };
  if (!existsSync(path.join(REPO, 'server', 'knowledge', 'cache.ts')) && /from '\.\/cache\.ts'/.test(src)) return { supported: false, why: 'service.ts imports ./cache.ts, which does not exist yet' };
  return { supported: true, why: '' };
}

// ---------------------------------------------------------------- main

export async function main(args: string[]): Promise<number> {
  if (args[0] === '--worker') {
    const spec = JSON.parse(args[1]!) as WorkerSpec;
    const r = await runWorker(spec, (m) => process.stderr.write(`[bench knowledge   worker] ${spec.engine}/${spec.corpus}: ${m}\n`));
    process.stdout.write(`\n@@RESULT ${JSON.stringify(r)}\n`);
    return 0;
  }

  const o = parseArgs(args);
  const m = machine();
  const { readFolder } = await import('../server/knowledge/folder.ts');
  const { readQuestions } = await import('../server/knowledge/eval.ts');
  const shipped = readFolder(KNOWLEDGE).articles;
  const questions = readQuestions(QUESTIONS);
  const bigLabel = `${Math.round(o.size / 1000)}k`;
  progress(`shipped corpus: ${shipped.length} articles, ${questions.length} eval questions; engines: ${o.engines.join(', ')}`);

  const root = mkdtempSync(path.join(os.tmpdir(), 'hotline-bench-knowledge-'));
  const cleanup = () => {
    if (o.keep) progress(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const bigDir = path.join(root, `corpus-${bigLabel}`);
    progress(`generating ${o.size.toLocaleString('en-US')} articles in ${bigDir}`);
    let t = performance.now();
    const corpus = generateCorpus({
      sourceDir: KNOWLEDGE,
      real: shipped,
      dir: bigDir,
      total: o.size,
      seed: o.seed,
      onProgress: (d, n) => progress(`  generated ${d.toLocaleString('en-US')}/${n.toLocaleString('en-US')}`),
    });
    const genMs = performance.now() - t;
    progress(`generated ${corpus.total.toLocaleString('en-US')} articles (${(corpus.bytes / 2 ** 20).toFixed(0)} MB of Markdown) in ${secs(genMs)}`);

    // Parse each corpus once here; the competitors' workers load the parsed articles (their
    // build time is indexing only). Hotline's worker opens the folder itself.
    t = performance.now();
    const bigRead = readFolder(bigDir);
    const parseMs = performance.now() - t;
    const parseErrors = bigRead.problems.filter((p) => p.severity === 'error').length;
    if (bigRead.articles.length !== corpus.total || parseErrors) progress(`WARNING: generated corpus parsed to ${bigRead.articles.length} articles with ${parseErrors} errors`);
    const bigArticles = path.join(root, `articles-${bigLabel}.v8`);
    const shippedArticles = path.join(root, 'articles-shipped.v8');
    writeFileSync(bigArticles, serialize(bigRead.articles));
    writeFileSync(shippedArticles, serialize(shipped));
    const bigCount = bigRead.articles.length;
    bigRead.articles.length = 0;
    progress(`parsed the generated corpus in ${secs(parseMs)} (${bigCount.toLocaleString('en-US')} articles, ${parseErrors} errors)`);

    const cache = cacheSupport();
    const cacheDir = path.join(root, 'hotline-cache');
    progress(cache.supported ? 'KnowledgeBase.open supports cacheDir: measuring start-up from scratch and from the cache' : `no index cache: ${cache.why}`);

    const base = { questions: QUESTIONS, buildCapMs: 0, queryCapMs: 0 };
    // Orama with jieba only separates tokenizer from engine; at full size it costs minutes (--full).
    const bigEngines = o.engines.filter((e) => o.full || e !== 'orama-jieba');
    const specs: WorkerSpec[] = [
      ...o.engines.map((engine) => ({ ...base, engine, corpus: 'shipped', dir: KNOWLEDGE, ...(engine === 'hotline' ? {} : { articlesFile: shippedArticles }) })),
      ...bigEngines.map((engine) => ({
        ...base,
        engine,
        corpus: bigLabel,
        dir: bigDir,
        ...(engine === 'hotline' ? {} : { articlesFile: bigArticles, buildCapMs: o.buildCapS * 1000, queryCapMs: o.queryCapS * 1000 }),
      })),
    ];
    const outcomes: RunOutcome[] = [];
    const run = async (spec: WorkerSpec, what = ''): Promise<RunOutcome> => {
      progress(`${spec.engine} on ${spec.corpus}${what}`);
      const out = await runChild(spec, 15 * 60_000);
      outcomes.push(out);
      if (out.result) {
        const r = out.result;
        progress(
          `  ${spec.engine}/${spec.corpus}: R@1 ${pct(r.recall1)}, R@3 ${pct(r.recall3)}, p50 ${f0(r.first.p50)} µs, p99 ${f0(r.first.p99)} µs, build ${secs(r.buildMs)}, heap +${f0(r.heapMB)} MB`,
        );
      } else progress(`  ${spec.engine}/${spec.corpus} FAILED: ${out.error}`);
      return out;
    };
    for (const spec of specs) await run(spec);

    // Start-up with the index cache: open with an empty cacheDir (builds and saves), then again
    // (restores). If that fails at the full size, measure it on a smaller corpus as well.
    interface CacheRun {
      size: number;
      label: string;
      cold: RunOutcome;
      warm?: RunOutcome;
    }
    const cacheRuns: CacheRun[] = [];
    const cachePhase = async (dir: string, label: string, size: number) => {
      const cdir = path.join(root, `hotline-cache-${label}`);
      const spec: WorkerSpec = { ...base, engine: 'hotline', corpus: `${label}, cold cache`, dir, cacheDir: cdir };
      const cold = await run(spec, ' (empty cacheDir: encode every article, then save the cache)');
      const c: CacheRun = { size, label, cold };
      cacheRuns.push(c);
      if (cold.result && existsSync(path.join(cdir, 'knowledge-index.ndjson'))) {
        c.warm = await run({ ...spec, corpus: `${label}, from cache` }, ' (open again: restore from the saved cache)');
      } else progress(`  no cache file after the cold open${cold.error ? '' : ' (nothing saved)'}; skipping the restore`);
      return c;
    };
    if (cache.supported) {
      const full = await cachePhase(bigDir, bigLabel, corpus.total);
      const small = 10_000;
      if (!full.warm?.result && o.size > small) {
        const smallDir = path.join(root, 'corpus-10k');
        progress(`cache did not work at ${bigLabel}: trying ${small.toLocaleString('en-US')} articles`);
        generateCorpus({ sourceDir: KNOWLEDGE, real: shipped, dir: smallDir, total: small, seed: o.seed });
        await cachePhase(smallDir, '10k', small);
      }
    }

    // ------------------------------------------------------------ tables
    const get = (engine: EngineName, corpus: string) => outcomes.find((x) => x.spec.engine === engine && x.spec.corpus === corpus);
    const topic1 = (r: WorkerResult) => {
      // recall@1 counting a generated variant of the expected article as the right topic
      const hitsOnTopic = r.misses.filter((x) => x.got[0] !== undefined && topicOf(x.got[0]) === x.expect).length;
      return (Math.round(r.recall1 * r.answered) + hitsOnTopic) / (r.answered || 1);
    };
    /** recall@1 and @3 from per-question ranks, over the questions `subset` asked. */
    const recallOn = (r: WorkerResult, subset: WorkerResult) => {
      const asked = subset.ranks.map((x, i) => (x === null ? -1 : i)).filter((i) => i >= 0);
      const at = (k: number) => asked.filter((i) => (r.ranks[i] ?? -1) >= 0 && r.ranks[i]! < k).length / (asked.length || 1);
      return { r1: at(1), r3: at(3), n: asked.length };
    };
    const rowsFor = (corpus: string, big: boolean) =>
      (big ? bigEngines : o.engines).map((engine) => {
        const out = get(engine, corpus);
        const name = ENGINE_SETUP[engine].label;
        if (!out?.result) return [name, `failed: ${out?.error ?? 'not run'}`, ...Array(big ? 9 : 8).fill('')];
        const r = out.result;
        const partial = r.stride > 1 || r.queryCapped ? ` (${r.answered} of ${r.questions} q)` : '';
        const built = `${secs(r.buildMs)}${r.buildCapped ? ` (capped: ${f0(r.buildCapped.indexed)} of ${f0(r.buildCapped.of)})` : ''}`;
        return [
          name,
          `${pct(r.recall1)}${partial}`,
          pct(r.recall3),
          f1(r.mrr * 100),
          ...(big ? [pct(topic1(r))] : []),
          f0(r.first.p50),
          f0(r.first.p99),
          r.repeat ? `${f0(r.repeat.p50)} / ${f0(r.repeat.p99)}` : 'n/a',
          built,
          `${f0(r.heapMB)} MB`,
        ];
      });
    const head = (big: boolean) => [
      'Engine',
      'recall@1',
      'recall@3',
      'MRR×100',
      ...(big ? ['right topic @1'] : []),
      'p50 µs',
      'p99 µs',
      'repeat pass p50 / p99 µs',
      'build',
      'heap after build',
    ];
    const shippedTable = table(head(false), rowsFor('shipped', false));
    const bigTable = table(head(true), rowsFor(bigLabel, true));

    // ------------------------------------------------------------ goals
    const hot = get('hotline', bigLabel)?.result;
    const hotShipped = get('hotline', 'shipped')?.result;
    const others = (corpus: string) => o.engines.filter((e) => e !== 'hotline').map((e) => get(e, corpus)?.result).filter((x): x is WorkerResult => !!x);
    const bestOther = (corpus: string, key: 'recall1' | 'recall3') => Math.max(0, ...others(corpus).map((r) => r[key]));
    const p99Ok = hot ? hot.first.p99 <= GOALS.p99Us : undefined;
    // Against an engine that answered a sample of the questions, Hotline is compared on that sample.
    const recallOk = (corpus: string, r: WorkerResult | undefined) =>
      r
        ? others(corpus).every((c) => {
            const h = recallOn(r, c);
            const cr = recallOn(c, c);
            return h.r1 >= cr.r1 && h.r3 >= cr.r3;
          })
        : undefined;
    const bestName = (corpus: string) => {
      const b = others(corpus).sort((x, y) => y.recall1 - x.recall1 || y.recall3 - x.recall3)[0];
      return b ? `${ENGINE_SETUP[b.engine].label} ${pct(b.recall1)} / ${pct(b.recall3)}${b.stride > 1 ? ` on ${b.answered} questions` : ''}` : 'n/a';
    };
    const checks = [
      `- Hotline p99 query time ≤ ${GOALS.p99Us.toLocaleString('en-US')} µs at ${o.size.toLocaleString('en-US')} articles: ${hot ? `${f0(hot.first.p99)} µs (p50 ${f0(hot.first.p50)} µs; repeat pass p99 ${f0(hot.repeat?.p99)} µs)` : 'n/a'} — ${verdict(p99Ok)}`,
      `- Hotline best recall of all engines, shipped corpus: ${hotShipped ? `${pct(hotShipped.recall1)} / ${pct(hotShipped.recall3)}` : 'n/a'} (recall@1 / @3) vs best other ${bestName('shipped')} — ${verdict(recallOk('shipped', hotShipped))}`,
      `- Hotline best recall of all engines, ${bigLabel} corpus: ${hot ? `${pct(hot.recall1)} / ${pct(hot.recall3)}` : 'n/a'} vs best other ${bestName(bigLabel)} — ${verdict(recallOk(bigLabel, hot))}`,
    ];

    // ------------------------------------------------------------ start-up
    let startup: string;
    if (!cache.supported) {
      startup = `Start-up from a saved index could not be measured: ${cache.why}. From scratch, \`KnowledgeBase.open\` on ${o.size.toLocaleString('en-US')} articles took ${secs(hot?.buildMs)} (table above).`;
    } else {
      const rows: string[][] = [];
      const notes: string[] = [];
      for (const c of cacheRuns) {
        const n = c.size.toLocaleString('en-US');
        const cold = c.cold.result;
        if (!cold) {
          rows.push([`${n} articles, empty \`cacheDir\``, `**crashed** after ${secs(c.cold.wallMs)}`, '', '', '']);
          notes.push(`- At ${n} articles the first open with a \`cacheDir\` did not finish: ${c.cold.error}. The index itself had been built (the from-scratch open without a cache succeeded above); the process died while saving the cache.`);
          continue;
        }
        const save = cold.info.cacheSaveMs as number | undefined;
        rows.push([
          `${n} articles, empty \`cacheDir\`: encode every article, then save`,
          secs(cold.buildMs),
          save !== undefined ? `save ${secs(save)}${cold.info.cacheBytes ? `, ${f0(Number(cold.info.cacheBytes) / 2 ** 20)} MB file` : ''}` : 'no save',
          `${f0(cold.heapMB)} MB`,
          `${pct(cold.recall1)} / ${pct(cold.recall3)}`,
        ]);
        const w = c.warm?.result;
        if (w) {
          rows.push([
            `${n} articles, from the saved cache${w.info.restoredFromCache ? '' : ' (**not restored: rebuilt**)'}`,
            secs(w.buildMs),
            `restore ${secs(w.info.cacheRestoreMs as number | undefined)}, cache key ${secs(w.info.cacheKeyMs as number | undefined)}`,
            `${f0(w.heapMB)} MB`,
            `${pct(w.recall1)} / ${pct(w.recall3)}`,
          ]);
          const same = w.recall1 === cold.recall1 && w.recall3 === cold.recall3 && w.mrr === cold.mrr;
          notes.push(`- ${n} articles: from the cache ${f1(cold.buildMs / w.buildMs)}× faster than from scratch; the restored index ${same ? 'ranks the eval set exactly as the freshly built one' : `**ranks differently** (MRR ${f1(cold.mrr * 100)} built vs ${f1(w.mrr * 100)} restored)`}; query p50/p99 after restore ${f0(w.first.p50)} / ${f0(w.first.p99)} µs.`);
        } else if (c.warm) rows.push([`${n} articles, from the saved cache`, `**failed**: ${c.warm.error}`, '', '', '']);
      }
      startup = [
        `From scratch without a cache at ${o.size.toLocaleString('en-US')} articles: ${secs(hot?.buildMs)} (table above).`,
        '',
        table(['Hotline `KnowledgeBase.open({ dir, cacheDir })`', 'open', 'cache', 'heap after', 'recall@1 / @3'], rows),
        '',
        ...notes,
      ].join('\n');
    }

    // ------------------------------------------------------------ notes
    const parse = others(bigLabel)[0];
    const capNotes = outcomes
      .filter((x) => x.result && (x.result.buildCapped || x.result.queryCapped || x.result.stride > 1))
      .map((x) => {
        const r = x.result!;
        const parts: string[] = [];
        if (r.buildCapped) parts.push(`build stopped after the ${o.buildCapS} s cap with ${f0(r.buildCapped.indexed)} of ${f0(r.buildCapped.of)} articles indexed (the shipped ones first)`);
        if (r.stride > 1) {
          const hotSame = x.spec.corpus === bigLabel ? hot : x.spec.corpus === 'shipped' ? hotShipped : undefined;
          const h = hotSame ? recallOn(hotSame, r) : undefined;
          parts.push(
            `about ${f1((Number(r.info.firstPassMs) || 0) / 1000 / r.answered)} s per question, so it answered every ${r.stride}th question of the eval set (${r.answered} of ${r.questions}, all categories; ${secs(Number(r.info.firstPassMs))}); its recall is over those${h ? ` — Hotline on the same ${h.n} questions: ${pct(h.r1)} / ${pct(h.r3)}` : ''}`,
          );
        }
        if (r.queryCapped) parts.push(`queries stopped when the time budget ran out: ${r.answered} of ${r.questions} answered`);
        return `- ${ENGINE_SETUP[x.spec.engine].label} on ${x.spec.corpus}: ${parts.join('; ')}.`;
      });
    const skipped = o.engines.filter((e) => !bigEngines.includes(e));
    if (skipped.length) capNotes.push(`- Not run at ${bigLabel} (add \`--full\`): ${skipped.map((e) => ENGINE_SETUP[e].label).join(', ')} — it only separates Orama's engine from its tokenizer, and a 50k Orama build plus its queries take several minutes.`);
    const failNotes = outcomes.filter((x) => x.error).map((x) => `- ${ENGINE_SETUP[x.spec.engine].label} on ${x.spec.corpus} failed: ${x.error}`);
    const evalCheck = (r: WorkerResult | undefined) => {
      const e = r?.info.evaluate as { recall_at_1: number; recall_at_3: number } | undefined;
      return e ? (e.recall_at_1 === r!.recall1 && e.recall_at_3 === r!.recall3 ? 'matches' : `**differs** (${pct(e.recall_at_1)} / ${pct(e.recall_at_3)})`) : 'n/a';
    };
    const totalWall = (performance.now() - t0) / 1000;

    const md = [
      '## knowledge',
      '',
      `\`npm run bench -- knowledge\` — last run ${m.date}, ${f0(totalWall)} s in all.`,
      '',
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}.`,
      '',
      `What runs: each engine on each corpus in its own child process (\`node --expose-gc\`), one after another. Questions: the ${questions.length} of \`knowledge/eval/questions.yaml\`; recall@k = the expected article among the first k of 10 results; query time per question as \`server/knowledge/eval.ts\` measures it (20 warm-up searches, then each question once: the first time the engine sees that text). "Repeat pass" asks every question a second time (Hotline then hits its query-encoding cache). Build = indexing the parsed articles (Hotline: \`KnowledgeBase.open\`, which also reads and parses the files — ${secs(parseMs)} of work at ${bigLabel} when the bench does it with the same \`readFolder\`; competitors get the parsed articles). Heap = \`heapUsed\` after a full GC once built, minus before anything was read; Hotline and Orama keep the whole articles (${f0(parse?.articlesHeapMB)} MB at ${bigLabel} alone), FlexSearch and MiniSearch keep only ids.`,
      '',
      'What each engine was given:',
      '',
      ...o.engines.map((e) => `- **${ENGINE_SETUP[e].label}**: ${ENGINE_SETUP[e].setup}`),
      '',
      `### Shipped corpus (${shipped.length} articles)`,
      '',
      shippedTable,
      '',
      `### Generated corpus (${corpus.total.toLocaleString('en-US')} articles)`,
      '',
      `${corpus.generated.toLocaleString('en-US')} articles generated (seed ${o.seed}, ${(corpus.bytes / 2 ** 20).toFixed(0)} MB of Markdown, ${secs(genMs)}) by \`bench/knowledge/corpus.ts\` around the ${corpus.real} shipped ones: each takes a shipped article as its base and varies its title (district, year, sub-topic such as 材料清单/异地办理), draws most questions, keywords and voice sentences from the base and the rest from its folder, and shuffles body lines from the base, its folder and (one line in six) any article. They are near-duplicate distractors — about ${f0(corpus.generated / corpus.real)} per shipped article — so recall@1 on the real article drops for every engine; "right topic @1" also counts a generated variant of the expected article as a hit.`,
      '',
      bigTable,
      '',
      ...(capNotes.length || failNotes.length ? [...capNotes, ...failNotes, ''] : []),
      '### Start-up (Hotline)',
      '',
      startup,
      '',
      '### Goals',
      '',
      ...checks,
      '',
      `Cross-check: \`evaluate()\` from server/knowledge/eval.ts on the same Hotline index gives the same recall as this bench's loop: shipped ${evalCheck(hotShipped)}, ${bigLabel} ${evalCheck(hot)}.`,
      '',
    ].join('\n');

    process.stdout.write('\n' + md + '\n');
    if (o.write) {
      writeSection(DOC, '## knowledge', md);
      progress(`wrote ${path.relative(REPO, DOC)} (## knowledge)`);
    }
    progress(`goals: p99 ${verdict(p99Ok)}, recall shipped ${verdict(recallOk('shipped', hotShipped))}, recall ${bigLabel} ${verdict(recallOk(bigLabel, hot))}`.replace(/\*\*/g, ''));
    return outcomes.some((x) => x.error) ? 2 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

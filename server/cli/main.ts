import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline/promises';
import { Command } from 'commander';
import { loadConfig, ConfigError } from '../config.ts';
import { openStore } from '../store/index.ts';
import { flowJsonSchema } from '../flows/schema.ts';
import { parseFlowSource, formatIssue } from '../flows/load.ts';
import { flowImplementations } from '../wiring.ts';
import { FlowVersions, FlowRejected, FlowNotFound } from '../flows/versions.ts';
import { listFlowFiles } from '../flows/files.ts';
import { diffFlows } from '../flows/diff.ts';
import { TwilioPhone, type Heard } from './phone.ts';
import { parseScript, runScript } from './script.ts';
import { ROLES, UserError, Users, type Role } from '../users/service.ts';
import { Departments } from '../departments/service.ts';
import { Router } from '../cases/routing.ts';

import { DeadlinePolicy } from '../cases/deadlines.ts';
import { WorkCalendar } from '../cases/calendar.ts';
import { Cases } from '../cases/service.ts';
import { registerDemo } from './demo.ts';
import { registerReport } from './report.ts';
import { CliError } from './errors.ts';


async function withFlows<T>(fn: (flows: FlowVersions) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await fn(new FlowVersions(store.db, flowImplementations()));
  } finally {
    await store.close();
  }
}

function writeSchema(out: string, schema: Record<string, unknown>, doc: string): void {
  writeFileSync(out, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${out} — point your editor's YAML/JSON schema setting at it (see ${doc})`);
}

function author(): string {
  return process.env.HOTLINE_USER ?? process.env.USER ?? 'cli';
}

export function buildCli(): Command {
  const program = new Command('hotline').description('Hotline: a citizen-service hotline on Twilio').showHelpAfterError();

  program
    .command('serve')
    .description('start the hotline server (what `npm start` runs)')
    .action(async () => {
      const { serve } = await import('./serve.ts');
      await serve();
    });

  const flows = program.command('flows').description('flow files: schema, validation, versions');

  flows
    .command('schema')
    .description('write the JSON Schema of flow files, for editor autocompletion')
    .option('-o, --out <file>', 'where to write it', 'flows/flow.schema.json')
    .action((o: { out: string }) => writeSchema(o.out, flowJsonSchema(), 'docs/flows.md'));

  flows
    .command('validate [files...]')
    .description('check flow files; exits non-zero on any problem (default: every file in the flows folder)')
    .action((files: string[]) => {
      const list = files.length ? files : listFlowFiles(process.env.HOTLINE_FLOWS_DIR ?? 'flows');
      if (list.length === 0) throw new CliError('no flow files found; name them or run from the project folder');
      const impl = flowImplementations();
      let bad = 0;
      for (const file of list) {
        if (!existsSync(file)) {
          console.error(`${file}:1:1 file not found`);
          bad++;
          continue;
        }
        const r = parseFlowSource(file, readFileSync(file, 'utf8'), impl);
        if (r.ok) console.log(`ok   ${file} (${r.flow.id}, ${Object.keys(r.flow.machine.states).length} states, ${r.hash.slice(0, 12)})`);
        else {
          bad++;
          for (const i of r.issues) console.error(formatIssue(i));
        }
      }
      if (bad) {
        console.error(`\n${bad} of ${list.length} flow file(s) refused. Fix the lines above; nothing was published.`);
        process.exitCode = 1;
      }
    });

  flows
    .command('publish <file>')
    .description('validate and publish a flow file as a new immutable version, and make it live')
    .requiredOption('-m, --message <text>', 'what changed and why')
    .action(async (file: string, o: { message: string }) => {
      if (!existsSync(file)) throw new CliError(`${file} not found`);
      await withFlows(async (f) => {
        const { version, created } = await f.publish(file, readFileSync(file, 'utf8'), o.message, author());
        console.log(created ? `published ${version.flowId} version ${version.version} (${version.hash.slice(0, 12)}); it is live for new calls` : `${version.flowId} version ${version.version} already has this content; nothing published`);
      });
    });

  flows
    .command('versions <id>')
    .description('list the versions of a flow, newest first')
    .action(async (id: string) => {
      await withFlows(async (f) => {
        for (const v of await f.versions(id)) {
          console.log(`${v.live ? '*' : ' '} v${v.version}  ${v.createdAt}  ${v.hash.slice(0, 12)}  ${v.author}  ${v.message}`);
        }
      });
    });

  flows
    .command('diff <id> <a> <b>')
    .description('what changed between two versions: states, prompts, options, transitions')
    .action(async (id: string, a: string, b: string) => {
      await withFlows(async (f) => {
        const [va, vb] = [await f.get(id, Number(a)), await f.get(id, Number(b))];
        const changes = diffFlows(va.definition, vb.definition);
        console.log(`${id} v${a} → v${b}: ${changes.length ? `${changes.length} change(s)` : 'no changes'}`);
        for (const c of changes) console.log(c);
      });
    });

  flows
    .command('rollback <id> [version]')
    .description('point live at a version (default: the one before live); calls in progress keep theirs')
    .action(async (id: string, version?: string) => {
      await withFlows(async (f) => {
        const v = await f.rollback(id, author(), version === undefined ? undefined : Number(version));
        console.log(`${id}: live is now version ${v.version} (${v.message})`);
      });
    });

  const kb = program.command('kb').description('the knowledge base: lint, search, evaluate');
  const kbDir = (d?: string) => d ?? process.env.HOTLINE_KNOWLEDGE_DIR ?? 'knowledge';

  kb.command('lint [dir]')
    .description('check every article: front matter, duplicate ids, voice answers, links, staleness')
    .option('--strict', 'warnings fail too')
    .action(async (dir: string | undefined, o: { strict?: boolean }) => {
      const { readFolder } = await import('../knowledge/folder.ts');
      const folder = kbDir(dir);
      if (!existsSync(folder)) throw new CliError(`${folder} not found; name the knowledge folder (default ./knowledge or HOTLINE_KNOWLEDGE_DIR)`);
      const { articles, problems } = readFolder(folder);
      for (const p of problems) (p.severity === 'error' ? console.error : console.warn)(`${path.join(folder, p.file)}:${p.line} ${p.severity}: ${p.message}`);
      const errors = problems.filter((p) => p.severity === 'error').length;
      const warnings = problems.length - errors;
      console.log(`${articles.length} article(s) read, ${errors} error(s), ${warnings} warning(s)`);
      if (errors || (o.strict && warnings)) process.exitCode = 1;
    });

  kb.command('schema')
    .description('write the JSON Schema of an article\'s front matter, for editors and other tools')
    .option('-o, --out <file>', 'where to write it', 'knowledge/article.schema.json')
    .action(async (o: { out: string }) => {
      const { articleJsonSchema } = await import('../knowledge/article.ts');
      writeSchema(o.out, articleJsonSchema(), 'docs/knowledge.md');
    });

  kb.command('search <query>')
    .description('print the ranked articles for a question, with scores')
    .option('--dir <dir>', 'knowledge folder')
    .option('--limit <n>', 'how many', '5')
    .action(async (query: string, o: { dir?: string; limit: string }) => {
      const { KnowledgeBase, decide } = await import('../knowledge/service.ts');
      const base = await KnowledgeBase.open({ dir: kbDir(o.dir) });
      const t0 = process.hrtime.bigint();
      const res = base.search(query, { limit: Number(o.limit) });
      const us = Number(process.hrtime.bigint() - t0) / 1000;
      console.log(`confidence ${res.confidence.toFixed(3)} → ${decide(res)}   (${us.toFixed(0)} µs, ${base.size} articles)`);
      res.hits.forEach((h, i) => console.log(`${String(i + 1).padStart(2)}. ${h.score.toFixed(2).padStart(7)}  ${h.id}  ${h.article.title}`));
    });

  kb.command('eval')
    .description('recall@1, recall@3, MRR and query time of a knowledge folder on a question set')
    .option('--dir <dir>', 'knowledge folder (only it is indexed, with the built-in lexicon and its synonyms.yaml)')
    .option('--questions <file>', 'YAML list of { q: question, expect: article id } (default <dir>/eval/questions.yaml)')
    .option('--json', 'print one JSON object')
    .action(async (o: { dir?: string; questions?: string; json?: boolean }) => {
      const { KnowledgeBase } = await import('../knowledge/service.ts');
      const { evaluate, readQuestions } = await import('../knowledge/eval.ts');
      const dir = kbDir(o.dir);
      const file = o.questions ?? path.join(dir, 'eval', 'questions.yaml');
      if (!existsSync(file)) throw new CliError(`${file} not found; pass --questions <file.yaml>`);
      const questions = readQuestions(file);
      if (!o.json) process.stderr.write(`indexing ${dir} …\n`);
      const base = await KnowledgeBase.open({ dir, warmUp: true });
      const unknown = questions.filter((q) => !base.get(q.expect));
      if (unknown.length && !o.json) process.stderr.write(`warning: ${unknown.length} question(s) expect an article the folder does not have (e.g. ${unknown[0]!.expect})\n`);
      if (!o.json) process.stderr.write(`asking ${questions.length} questions of ${base.size} articles …\n`);
      const r = evaluate(base, questions);
      if (o.json) {
        console.log(JSON.stringify(r));
        return;
      }
      console.log(`recall@1 ${r.recall_at_1.toFixed(3)}   recall@3 ${r.recall_at_3.toFixed(3)}   MRR ${r.mrr.toFixed(3)}   p50 ${r.p50_us} µs   p99 ${r.p99_us} µs   (${r.questions} questions)`);
      if (r.misses.length) console.log(`\nmisses (not first):`);
      for (const m of r.misses) console.log(`  ${m.rank ? `#${m.rank}` : ' – '}  ${m.q}  → expected ${m.expect}, got ${m.got.join(', ') || 'nothing'}`);
    });

  program
    .command('simulate')
    .description('an interactive terminal phone that plays Twilio against the running server')
    .option('--flow <id>', 'flow to dial', 'main')
    .option('--lang <lang>', 'switch the call to this language first if the menu offers it (zh-CN or en-US)')
    .option('--url <url>', 'server to call (default PUBLIC_URL or http://localhost:PORT)')
    .option('--from <number>', 'caller number', '+8613800138000')
    .option('--script <file>', 'run a scripted call non-interactively and print the transcript as JSON')
    .action(async (o: { flow: string; lang?: string; url?: string; from: string; script?: string }) => {
      const config = loadConfig();
      const baseUrl = o.url ?? config.publicUrl;
      const phone = { baseUrl, publicUrl: config.publicUrl, authToken: config.authToken, accountSid: config.accountSid };
      if (o.script) {
        const script = parseScript(readFileSync(o.script, 'utf8'));
        const result = await runScript({ ...script, flow: script.flow ?? o.flow }, phone);
        console.log(JSON.stringify({ script: script.name, passed: !result.failure, failure: result.failure, transcript: result.transcript }, null, 2));
        if (result.failure) process.exitCode = 1;
        return;
      }
      await interactive(new TwilioPhone({ ...phone, from: o.from }), o.flow, o.lang);
    });

  const users = program.command('users').description('people who sign in: agents, handlers, supervisors, editors, ops, admins');
  users
    .command('add <username>')
    .description('add a user (honours HOTLINE_DATA_DIR and DATABASE_URL); prints a generated password unless --password-stdin')
    .requiredOption('--role <role...>', `one or more of ${ROLES.join(', ')}`)
    .option('--department <code...>', 'department code(s) a handler acts for (GET /api/departments lists them)', [])
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (username: string, o: { role: string[]; department: string[]; passwordStdin?: boolean }) => {
      const password = o.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      const config = loadConfig();
      const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        // A handler of a department nobody dispatches to would see nothing: name only real ones.
        const departments = new Departments(store.db);
        await departments.seed(Router.load(path.join(config.casesDir, 'routing.yaml')).file.departments);
        const known = new Set((await departments.list()).map((d) => d.code));
        const unknown = o.department.filter((d) => !known.has(d));
        if (unknown.length) throw new CliError(`unknown department ${unknown.join(', ')}; the catalogue has ${[...known].join(', ')} (supervisors add departments with POST /api/departments)`);
        const made = await new Users(store.db).add({ username, roles: o.role as Role[], departments: o.department, password });
        console.log(`added ${username} (${o.role.join(', ')}${o.department.length ? `; departments ${o.department.join(', ')}` : ''})`);
        if (!password) console.log(`password: ${made.password}\n(shown only now; they can change it with POST /api/password)`);
      } catch (err) {
        if (err instanceof UserError) throw new CliError(err.message);
        throw err;
      } finally {
        await store.close();
      }
    });

  registerReport(program);
  registerDemo(program);

  return program;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function interactive(phone: TwilioPhone, flow: string, lang?: string) {
  // Lines are read through the async iterator so typed-ahead or piped input is not lost.
  const rl = readline.createInterface({ input: process.stdin, terminal: process.stdin.isTTY });
  const lines = rl[Symbol.asyncIterator]();
  const show = (h: Heard) => {
    for (const t of h.heard) console.log(`  🔊 ${t}`);
    if (h.handoff) console.log(`  ☎  handed to ${h.handoff.queue ? `queue "${h.handoff.queue}"` : `agent ${h.handoff.agent}`}`);
    if (h.hungUp) console.log('  ☎  the line goes quiet: call ended');
    if (h.status !== 200) console.log(`  ✖ server answered HTTP ${h.status}`);
  };
  console.log(`Calling flow "${flow}" as ${phone.callSid}. Type digits to press keys, "say <words>" to speak, Enter for silence, "q" to hang up.`);
  let h = await phone.dial(flow);
  show(h);
  if (lang === 'en-US' && h.gather) {
    h = await phone.press('9');
    show(h);
  }
  try {
    while (h.gather) {
      process.stdout.write(`[${h.gather.input.join('/')}] > `);
      const next = await lines.next();
      if (next.done) break;
      const line = String(next.value).trim();
      if (!process.stdin.isTTY) console.log(line);
      if (line === 'q') break;
      if (line === '') h = await phone.silence();
      else if (line.startsWith('say ')) h = await phone.say(line.slice(4));
      else if (/^[0-9*#]+$/.test(line)) h = await phone.press(line);
      else {
        console.log('  digits, "say <words>", Enter for silence, or q');
        continue;
      }
      show(h);
    }
  } finally {
    rl.close();
    await phone.hangup();
  }
}

export async function main(argv: string[]): Promise<void> {
  // A reader that stops early (`kb search … | head`) closes the pipe: that is the end, not a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof FlowRejected) {
      for (const i of err.issues) console.error(formatIssue(i));
      console.error('\nThe flow was refused; nothing was published. Fix the lines above and try again.');
    } else if (err instanceof FlowNotFound || err instanceof CliError || err instanceof ConfigError) {
      console.error(`hotline: ${err.message}`);
    } else if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED' || String((err as Error).cause ?? '').includes('ECONNREFUSED')) {
      console.error('hotline: the server is not answering; start it with `npm start` (or pass --url)');
    } else {
      console.error(`hotline: ${(err as Error).stack ?? err}`);
    }
    process.exitCode = process.exitCode || 1;
  }
}


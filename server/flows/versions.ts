import type { Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { FlowDefinition } from './schema.ts';
import type { FlowVersion } from './runtime.ts';
import { parseFlowSource, formatIssue, type FlowIssue } from './load.ts';
import type { Implementations } from './implementations.ts';

export interface FlowVersionInfo {
  flowId: string;
  version: number;
  hash: string;
  channel: string;
  message: string;
  author: string;
  createdAt: string;
  live: boolean;
}

export interface PublishResult {
  version: FlowVersionInfo;
  /** False when the content hash equals the live version's: nothing was stored. */
  created: boolean;
}

export class FlowRejected extends Error {
  constructor(readonly issues: FlowIssue[]) {
    super(`flow refused:\n${issues.map(formatIssue).join('\n')}`);
  }
}

export class FlowNotFound extends Error {}

export const LIVE = 'live';

/**
 * Immutable, numbered, hashed flow versions and the `live` alias that decides what new
 * calls get. Rollback moves the alias; nothing is ever rewritten.
 */
export class FlowVersions {
  private cache = new Map<string, FlowVersion>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly impl: Implementations,
  ) {}

  /** Validate and store a new version, then point `live` at it. Refuses anything invalid. */
  async publish(file: string, source: string, message: string, author: string, opts: { expectId?: string; onlyIfNew?: boolean } = {}): Promise<PublishResult> {
    const parsed = parseFlowSource(file, source, this.impl);
    if (!parsed.ok) throw new FlowRejected(parsed.issues);
    const { flow, hash } = parsed;
    if (opts.expectId && flow.id !== opts.expectId) {
      throw new FlowRejected([{ file, line: 1, column: 1, message: `the file's id is ${flow.id}, not ${opts.expectId}` }]);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(async (tx) => {
          const latest = await tx
            .selectFrom('flow_versions')
            .select(['version', 'hash'])
            .where('flow_id', '=', flow.id)
            .orderBy('version', 'desc')
            .limit(1)
            .executeTakeFirst();
          const live = await tx.selectFrom('flow_aliases').select('version').where('flow_id', '=', flow.id).where('alias', '=', LIVE).executeTakeFirst();
          const liveRow = live
            ? await tx.selectFrom('flow_versions').selectAll().where('flow_id', '=', flow.id).where('version', '=', live.version).executeTakeFirst()
            : undefined;
          if (liveRow && liveRow.hash === hash) return { version: toInfo(liveRow, liveRow.version), created: false };
          if (opts.onlyIfNew) {
            // Start-up publishing: content already stored once (e.g. rolled back from) is not re-published.
            const same = await tx.selectFrom('flow_versions').selectAll().where('flow_id', '=', flow.id).where('hash', '=', hash).executeTakeFirst();
            if (same && liveRow) return { version: toInfo(same, liveRow.version), created: false };
          }
          const now = new Date().toISOString();
          const row = {
            flow_id: flow.id,
            version: (latest?.version ?? 0) + 1,
            hash,
            channel: flow.channel,
            source,
            definition: JSON.stringify(flow),
            message: message.trim() || '(no message)',
            author,
            created_at: now,
          };
          await tx.insertInto('flow_versions').values(row).execute();
          await this.setAlias(tx, flow.id, row.version, author, now);
          return { version: toInfo(row, row.version), created: true };
        });
      } catch (err) {
        // Another publisher took the same number; the primary key refused ours. Try once more.
        if (attempt < 2 && /UNIQUE|duplicate key|PRIMARY/i.test(String(err))) continue;
        throw err;
      }
    }
  }

  private async setAlias(db: Kysely<Database>, flowId: string, version: number, who: string, now: string) {
    const updated = await db
      .updateTable('flow_aliases')
      .set({ version, updated_at: now, updated_by: who })
      .where('flow_id', '=', flowId)
      .where('alias', '=', LIVE)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      await db.insertInto('flow_aliases').values({ flow_id: flowId, alias: LIVE, version, updated_at: now, updated_by: who }).execute();
    }
  }

  async list(): Promise<FlowVersionInfo[]> {
    const rows = await this.db
      .selectFrom('flow_aliases as a')
      .innerJoin('flow_versions as v', (j) => j.onRef('v.flow_id', '=', 'a.flow_id').onRef('v.version', '=', 'a.version'))
      .select(['v.flow_id', 'v.version', 'v.hash', 'v.channel', 'v.message', 'v.author', 'v.created_at'])
      .where('a.alias', '=', LIVE)
      .orderBy('v.flow_id')
      .execute();
    return rows.map((r) => toInfo(r, r.version));
  }

  async versions(flowId: string): Promise<FlowVersionInfo[]> {
    const live = await this.liveNumber(flowId);
    const rows = await this.db
      .selectFrom('flow_versions')
      .select(['flow_id', 'version', 'hash', 'channel', 'message', 'author', 'created_at'])
      .where('flow_id', '=', flowId)
      .orderBy('version', 'desc')
      .execute();
    if (rows.length === 0) throw new FlowNotFound(`no flow "${flowId}" has been published`);
    return rows.map((r) => toInfo(r, live));
  }

  async liveNumber(flowId: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('flow_aliases').select('version').where('flow_id', '=', flowId).where('alias', '=', LIVE).executeTakeFirst();
    return row?.version;
  }

  /** The version new calls get. Read on every new call so a publish anywhere takes effect at once. */
  async live(flowId: string): Promise<FlowVersion> {
    const n = await this.liveNumber(flowId);
    if (n === undefined) throw new FlowNotFound(`flow "${flowId}" has no live version; publish it with npx hotline flows publish`);
    return this.get(flowId, n);
  }

  /** A specific version; immutable, so cached for the life of the process. */
  async get(flowId: string, version: number): Promise<FlowVersion> {
    const key = `${flowId}@${version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const row = await this.db.selectFrom('flow_versions').selectAll().where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
    if (!row) throw new FlowNotFound(`flow "${flowId}" has no version ${version}`);
    const v: FlowVersion = { flowId, version, hash: row.hash, definition: FlowDefinition.parse(JSON.parse(row.definition)) };
    this.cache.set(key, v);
    return v;
  }

  async source(flowId: string, version: number): Promise<string> {
    const row = await this.db.selectFrom('flow_versions').select('source').where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
    if (!row) throw new FlowNotFound(`flow "${flowId}" has no version ${version}`);
    return row.source;
  }

  /** Point `live` at `version`, or at the version before the live one. Calls in progress keep theirs. */
  async rollback(flowId: string, who: string, version?: number): Promise<FlowVersionInfo> {
    const current = await this.liveNumber(flowId);
    if (current === undefined) throw new FlowNotFound(`flow "${flowId}" has no live version`);
    let target = version;
    if (target === undefined) {
      const prev = await this.db
        .selectFrom('flow_versions')
        .select('version')
        .where('flow_id', '=', flowId)
        .where('version', '<', current)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!prev) throw new FlowNotFound(`flow "${flowId}" has no version before ${current} to roll back to`);
      target = prev.version;
    }
    await this.get(flowId, target);
    await this.setAlias(this.db, flowId, target, who, new Date().toISOString());
    return (await this.versions(flowId)).find((v) => v.version === target)!;
  }
}

function toInfo(
  r: { flow_id: string; version: number; hash: string; channel: string; message: string; author: string; created_at: string },
  live: number | undefined,
): FlowVersionInfo {
  return {
    flowId: r.flow_id,
    version: r.version,
    hash: r.hash,
    channel: r.channel,
    message: r.message,
    author: r.author,
    createdAt: r.created_at,
    live: r.version === live,
  };
}

import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, isMap, isNode, isScalar, isSeq, type Document } from 'yaml';
import { FlowDefinition, type FlowDefinition as FlowDef } from './schema.ts';
import { checkFlow, type FlowProblem, type Implementations } from './validate.ts';

/** A problem in a flow file, located for the person who has to fix it. */
export interface FlowIssue {
  file: string;
  line: number;
  column: number;
  /** The state the problem is in, when it is in one. */
  state?: string;
  message: string;
}

export type ParseResult =
  | { ok: true; flow: FlowDef; hash: string; source: string }
  | { ok: false; issues: FlowIssue[] };

export function formatIssue(i: FlowIssue): string {
  return `${i.file}:${i.line}:${i.column}${i.state ? ` [state ${i.state}]` : ''} ${i.message}`;
}

/**
 * A stable hash of a definition: keys sorted, so reformatting a file or reordering keys
 * does not count as a new version, while any change of meaning does.
 */
export function flowHash(flow: FlowDef): string {
  return createHash('sha256').update(canonicalJson(flow)).digest('hex');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([k, x]) => x !== undefined && k !== '$schema')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Locate a path inside the parsed document: the line of the key (or list item) the path
 * ends at, so an editor jumps to the line to fix. Falls back to the nearest ancestor.
 */
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } {
  const at = (offset: number) => {
    const pos = lc.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  for (let n = path.length; n > 0; n--) {
    const parent = doc.getIn(path.slice(0, n - 1) as unknown[], true);
    const last = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
      if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
    } else if (isSeq(parent)) {
      const item = parent.items[Number(last)];
      if (isNode(item) && item.range) return at(item.range[0]);
    }
  }
  const root = doc.contents;
  return isNode(root) && root.range ? at(root.range[0]) : { line: 1, column: 1 };
}

function stateOf(path: readonly PropertyKey[]): string | undefined {
  return path[0] === 'machine' && path[1] === 'states' && typeof path[2] === 'string' ? path[2] : undefined;
}

/**
 * Parse and fully validate one flow file (YAML or JSON — JSON is read by the same YAML
 * parser so both get line numbers). Nothing that fails here can be published or served.
 */
export function parseFlowSource(file: string, source: string, impl: Implementations): ParseResult {
  if (/\.json$/i.test(file)) {
    // JSON read as YAML would forgive trailing commas and comments; hold JSON files to JSON.
    try {
      JSON.parse(source);
    } catch (err) {
      const m = /position (\d+)/.exec((err as Error).message);
      const offset = m ? Number(m[1]) : 0;
      const before = source.slice(0, offset).split('\n');
      return { ok: false, issues: [{ file, line: before.length, column: before.at(-1)!.length + 1, message: `syntax error: ${(err as Error).message}` }] };
    }
  }
  const lc = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { file, line: pos.line, column: pos.col, message: `syntax error: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  const raw = doc.toJS({ maxAliasCount: 50 }) as unknown;
  const parsed = FlowDefinition.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((iss) => {
        // An unknown key is reported on the object; point at the key itself.
        const keys = iss.code === 'unrecognized_keys' ? iss.keys : [];
        const path = [...(iss.path as PropertyKey[]), ...keys.slice(0, 1)];
        const at = locate(doc, lc, path);
        const where = iss.path.length ? `${iss.path.join('.')}: ` : '';
        return { file, ...at, state: stateOf(path), message: `${where}${iss.message}` };
      }),
    };
  }
  const problems: FlowProblem[] = checkFlow(parsed.data, impl);
  if (problems.length > 0) {
    return {
      ok: false,
      issues: problems.map((p) => ({ file, ...locate(doc, lc, p.path), state: p.state, message: p.message })),
    };
  }
  return { ok: true, flow: parsed.data, hash: flowHash(parsed.data), source };
}

import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
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

/** Locate a path inside the parsed document; falls back to the nearest ancestor that exists. */
function locate(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) {
      // For a key's problem, point at the key: the pair's value starts after it, so look one level up too.
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

function stateOf(path: readonly PropertyKey[]): string | undefined {
  return path[0] === 'machine' && path[1] === 'states' && typeof path[2] === 'string' ? path[2] : undefined;
}

/**
 * Parse and fully validate one flow file (YAML or JSON — JSON is read by the same YAML
 * parser so both get line numbers). Nothing that fails here can be published or served.
 */
export function parseFlowSource(file: string, source: string, impl: Implementations): ParseResult {
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
        const path = iss.path as PropertyKey[];
        const at = locate(doc, lc, path);
        const where = path.length ? `${path.join('.')}: ` : '';
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

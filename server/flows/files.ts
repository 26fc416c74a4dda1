import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Flow files are the YAML/JSON files directly in the flows folder; scripted calls live in sub-folders. */
export function listFlowFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name) && !e.name.startsWith('.') && !e.name.endsWith('.schema.json'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export function readFlowFile(file: string): string {
  return readFileSync(file, 'utf8');
}

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readConfigFile } from '../config-file.ts';

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

/** Each kind of message, who it goes to, and the values its text may name. */
export const KINDS = {
  'case.created': { audience: 'caller', vars: ['case', 'pin', 'type', 'category'] },
  'case.dispatched': { audience: 'caller', vars: ['case', 'department'] },
  'case.dispatched.department': { audience: 'department', vars: ['case', 'type', 'urgency', 'category', 'district', 'address', 'callerName', 'callerPhone', 'description', 'department', 'due'] },
  'case.replied': { audience: 'caller', vars: ['case', 'department', 'result'] },
  'case.deadline.warning': { audience: 'department', vars: ['case', 'category', 'department', 'step', 'due'] },
  'case.deadline.overdue': { audience: 'department', vars: ['case', 'category', 'department', 'step', 'due'] },
  'case.supervised': { audience: 'supervisors', vars: ['case', 'type', 'category', 'department', 'reason', 'state'] },
  'digest.overdue': { audience: 'supervisors', vars: ['date', 'count', 'cases'] },
} as const satisfies Record<string, { audience: 'caller' | 'department' | 'supervisors'; vars: readonly string[] }>;
export type MessageKind = keyof typeof KINDS;

const Text = z.string().trim().min(1);
const Mail = z.object({ subject: Text, body: Text }).strict();
const byLang = <T extends z.ZodType>(t: T) => z.object({ 'zh-CN': t, 'en-US': t }).strict();
const TemplateFile = z.object({ sms: byLang(Text).optional(), email: byLang(Mail).optional() }).strict();
type TemplateFile = z.infer<typeof TemplateFile>;

export class TemplateError extends Error {}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** Fill `{name}` from `values`; a value that is missing reads as empty. */
export function fill(text: string, values: Record<string, string | undefined>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? '').replace(/[ \t]+$/gm, '');
}

/** The message templates editors keep in notifications/: one file per kind, both languages. */
export class Templates {
  private constructor(private readonly files: Map<MessageKind, TemplateFile>) {}

  static load(dir: string): Templates {
    if (!existsSync(dir)) throw new TemplateError(`${dir}: not found; copy notifications/ from the Hotline repository`);
    const files = new Map<MessageKind, TemplateFile>();
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      const kind = name.slice(0, -'.yaml'.length);
      const file = path.join(dir, name);
      if (!(kind in KINDS)) throw new TemplateError(`${file}: no message of kind ${kind}; the kinds are ${Object.keys(KINDS).join(', ')}`);
      const known = new Set<string>(KINDS[kind as MessageKind].vars);
      const schema = TemplateFile.superRefine((v, ctx) => {
        for (const channel of ['sms', 'email'] as const) {
          for (const lang of LANGS) {
            const t = v[channel]?.[lang];
            if (!t) continue;
            const texts: Array<[string[], string]> = typeof t === 'string' ? [[[channel, lang], t]] : [[[channel, lang, 'subject'], t.subject], [[channel, lang, 'body'], t.body]];
            for (const [at, text] of texts) {
              for (const m of text.matchAll(PLACEHOLDER)) {
                if (!known.has(m[1]!)) ctx.addIssue({ code: 'custom', path: at, message: `{${m[1]}} is not a value of ${kind}; it knows ${[...known].map((k) => `{${k}}`).join(' ')}` });
              }
            }
          }
        }
        if (!v.sms && !v.email) ctx.addIssue({ code: 'custom', path: [], message: 'a template needs sms: or email:' });
      });
      files.set(kind as MessageKind, readConfigFile(file, schema, (m) => new TemplateError(m)));
    }
    const missing = Object.keys(KINDS).filter((k) => !files.has(k as MessageKind));
    if (missing.length) throw new TemplateError(`${dir}: no template for ${missing.join(', ')}`);
    return new Templates(files);
  }

  sms(kind: MessageKind, lang: string, values: Record<string, string | undefined>): string | undefined {
    const t = this.files.get(kind)?.sms;
    return t && fill(t[pick(lang)], values);
  }

  email(kind: MessageKind, lang: string, values: Record<string, string | undefined>): { subject: string; body: string } | undefined {
    const t = this.files.get(kind)?.email?.[pick(lang)];
    return t && { subject: fill(t.subject, values).replace(/\s+/g, ' ').trim(), body: fill(t.body, values) };
  }
}

function pick(lang: string): Lang {
  return lang.toLowerCase().startsWith('en') ? 'en-US' : 'zh-CN';
}

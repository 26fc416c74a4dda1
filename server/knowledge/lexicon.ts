import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const BUILT_IN = path.join(import.meta.dirname, 'lexicon');

/** `official term: [variant, …]` — the format of the built-in lexicons and of a folder's synonyms.yaml. */
const TermMap = z.record(z.string().min(1), z.array(z.union([z.string(), z.number()]).transform(String)).default([]));

function normalizeKey(s: string): string {
  return s.normalize('NFKC').toLowerCase().trim();
}

const LATIN_WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

/** Plural and common suffixes, so "renewing" and "renewal" meet "renew". Deliberately light. */
export function stemEnglish(w: string): string {
  if (w.length <= 3 || w.endsWith('ss')) return w;
  if (/(?:s|x|z|ch|sh)es$/.test(w) && w.length > 5) return w.slice(0, -2);
  for (const [suffix, min] of [
    ['ations', 5], ['ation', 5], ['ings', 5], ['ing', 5], ['ies', 4], ['ied', 4], ['als', 5], ['al', 6], ['ed', 5], ['s', 4],
  ] as const) {
    if (w.endsWith(suffix) && w.length - suffix.length >= min - 2) {
      const base = w.slice(0, -suffix.length);
      return suffix === 'ies' || suffix === 'ied' ? base + 'y' : base;
    }
  }
  return w;
}

export function englishKey(phrase: string): string {
  return (normalizeKey(phrase).match(LATIN_WORD) ?? []).map(stemEnglish).join(' ');
}

/** A phrase's words in sorted order, the key under which any order of them is found. */
function unordered(key: string): string {
  return key.split(' ').sort().join(' ');
}

interface TrieNode {
  next: Map<string, TrieNode>;
  officials?: string[];
}

/**
 * Colloquial → official Chinese terms and English → Chinese public-service terms: the
 * built-in lexicons that ship with the engine, plus a knowledge folder's own synonyms.yaml.
 */
export class Lexicon {
  private readonly trie: TrieNode = { next: new Map() };
  private readonly english = new Map<string, Set<string>>();
  private maxPhraseWords = 1;
  private readonly terms = new Set<string>();

  static load(folderSynonyms?: string): Lexicon {
    const lex = new Lexicon();
    const colloquial = path.join(BUILT_IN, 'colloquial.yaml');
    const bilingual = path.join(BUILT_IN, 'bilingual.yaml');
    if (existsSync(colloquial)) lex.addSynonymFile(colloquial);
    if (existsSync(bilingual)) lex.addBilingualFile(bilingual);
    if (folderSynonyms && existsSync(folderSynonyms)) lex.addSynonymFile(folderSynonyms);
    return lex;
  }

  /** Parse errors name the file; the caller decides whether that is fatal. */
  addSynonymFile(file: string): void {
    const map = TermMap.parse(parse(readFileSync(file, 'utf8')) ?? {});
    for (const [official, variants] of Object.entries(map)) this.addSynonyms(official, variants);
  }

  addBilingualFile(file: string): void {
    const map = TermMap.parse(parse(readFileSync(file, 'utf8')) ?? {});
    for (const [zh, phrases] of Object.entries(map)) this.addTranslations(zh, phrases);
  }

  addSynonyms(officialRaw: string, variants: string[]): void {
    const official = normalizeKey(officialRaw);
    this.terms.add(official);
    for (const v of variants) {
      const key = normalizeKey(v);
      if (!key || key === official) continue;
      if (/^[a-z0-9 '-]+$/.test(key)) {
        this.addTranslations(official, [key]);
        continue;
      }
      this.terms.add(key);
      let node = this.trie;
      for (const c of key) {
        let n = node.next.get(c);
        if (!n) node.next.set(c, (n = { next: new Map() }));
        node = n;
      }
      (node.officials ??= []).includes(official) || node.officials.push(official);
    }
  }

  addTranslations(zhRaw: string, phrases: string[]): void {
    const zh = normalizeKey(zhRaw);
    this.terms.add(zh);
    for (const p of phrases) {
      const key = englishKey(p);
      if (!key) continue;
      this.maxPhraseWords = Math.max(this.maxPhraseWords, key.split(' ').length);
      // A phrase is also filed under its words in sorted order: callers say "register my
      // marriage" and "get my marriage registered" alike.
      for (const k of new Set([key, unordered(key)])) {
        let set = this.english.get(k);
        if (!set) this.english.set(k, (set = new Set()));
        set.add(zh);
      }
    }
  }

  /** The colloquial variants in a run of Han text (longest at each position) and their official terms. */
  variantsIn(run: string): Array<{ variant: string; officials: string[] }> {
    const out: Array<{ variant: string; officials: string[] }> = [];
    const chars = [...run];
    for (let i = 0; i < chars.length; i++) {
      let node: TrieNode | undefined = this.trie;
      let found: { variant: string; officials: string[] } | undefined;
      for (let j = i; j < chars.length && node; j++) {
        node = node.next.get(chars[j]!);
        if (node?.officials) found = { variant: chars.slice(i, j + 1).join(''), officials: node.officials };
      }
      if (found) out.push(found);
    }
    return out;
  }

  /** Chinese terms named by English words or phrases in the text (longest phrase first). */
  translate(text: string): string[] {
    if (this.english.size === 0) return [];
    const words = (normalizeKey(text).match(LATIN_WORD) ?? []).map(stemEnglish);
    const out: string[] = [];
    for (let i = 0; i < words.length; ) {
      let matched = 0;
      for (let n = Math.min(this.maxPhraseWords, words.length - i); n >= 1; n--) {
        const phrase = words.slice(i, i + n).join(' ');
        const hit = this.english.get(phrase) ?? (n > 1 ? this.english.get(unordered(phrase)) : undefined);
        if (hit) {
          out.push(...hit);
          matched = n;
          break;
        }
      }
      i += matched || 1;
    }
    return out;
  }

  /** The English words and phrases it translates (lower case, stemmed as queries are). */
  englishPhrases(): string[] {
    return [...this.english.keys()];
  }

  /** Han terms worth keeping whole in segmentation. */
  hanTerms(): string[] {
    return [...this.terms].filter((t) => /^\p{Script=Han}+$/u.test(t));
  }
}

/** Characters of the GSM 03.38 basic set; anything else makes a message UCS-2 (70/67 per segment). */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

const isGsm = (text: string) => Array.from(text).every((c) => GSM7.has(c));

/** Five concatenated segments: long enough for an answer, short enough for every handset. */
export function maxChars(text: string): number {
  return isGsm(text) ? 5 * 153 : 5 * 67;
}

const SENTENCE_END = /[。！？!?.;；\n]/u;
const SOFT_BREAK = /[，,、 \t]/u;

/**
 * Split a long reply into several messages at sentence ends (else at a comma or space,
 * else hard), never inside a character, so each message reads on its own.
 */
export function splitSms(text: string, limit = maxChars(text)): string[] {
  const chars = Array.from(text.trim());
  // UCS-2 segments count UTF-16 units (an emoji takes two); GSM-7 counts characters.
  const size = isGsm(text) ? () => 1 : (c: string) => c.length;
  const out: string[] = [];
  let start = 0;
  for (;;) {
    // The furthest index such that chars[start, end) fits the limit.
    let end = start;
    for (let used = 0; end < chars.length && used + size(chars[end]!) <= limit; end++) used += size(chars[end]!);
    if (end >= chars.length) break;
    let cut = -1;
    for (const re of [SENTENCE_END, SOFT_BREAK]) {
      for (let i = end - 1; i > start + (end - start) / 3; i--) {
        if (re.test(chars[i]!)) {
          cut = i + 1;
          break;
        }
      }
      if (cut > 0) break;
    }
    if (cut < 0) cut = Math.max(end, start + 1);
    out.push(chars.slice(start, cut).join('').trim());
    start = cut;
  }
  const rest = chars.slice(start).join('').trim();
  if (rest) out.push(rest);
  return out.filter(Boolean);
}

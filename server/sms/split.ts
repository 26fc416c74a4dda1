/** Characters of the GSM 03.38 basic set; anything else makes a message UCS-2 (70/67 per segment). */
const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** Five concatenated segments: long enough for an answer, short enough for every handset. */
export function maxChars(text: string): number {
  return Array.from(text).every((c) => GSM7.has(c)) ? 5 * 153 : 5 * 67;
}

const SENTENCE_END = /[。！？!?.;；\n]/u;
const SOFT_BREAK = /[，,、 \t]/u;

/**
 * Split a long reply into several messages at sentence ends (else at a comma or space,
 * else hard), never inside a character, so each message reads on its own.
 */
export function splitSms(text: string, limit = maxChars(text)): string[] {
  const chars = Array.from(text.trim());
  const out: string[] = [];
  let start = 0;
  while (chars.length - start > limit) {
    let cut = -1;
    for (const re of [SENTENCE_END, SOFT_BREAK]) {
      for (let i = start + limit - 1; i > start + limit / 3; i--) {
        if (re.test(chars[i]!)) {
          cut = i + 1;
          break;
        }
      }
      if (cut > 0) break;
    }
    if (cut < 0) cut = start + limit;
    out.push(chars.slice(start, cut).join('').trim());
    start = cut;
  }
  const rest = chars.slice(start).join('').trim();
  if (rest) out.push(rest);
  return out.filter(Boolean);
}

/** How flows text a caller (an article they asked for): the outbox behind it (outboxTexts); tests may stand in. */
export interface SmsSender {
  send(to: string, body: string): Promise<{ sid?: string; ok: boolean; error?: string }>;
}

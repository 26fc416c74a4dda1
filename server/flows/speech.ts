import type { Language, SpeechSettings } from './schema.ts';

/**
 * Twilio's `<Say>` voices and `<Gather>` recognition languages are two different lists;
 * Mandarin needs both right: Say speaks `cmn-CN` (Polly Zhiyu or Google cmn-CN voices),
 * Gather recognises `cmn-Hans-CN`. `zh-CN` is accepted by neither as documented.
 * Sources: twilio.com/docs/voice/twiml/say/text-speech and twilio.com/docs/voice/twiml/gather.
 */
export const TWILIO_VOICES: Record<string, readonly string[]> = {
  'cmn-CN': [
    'Polly.Zhiyu',
    'Polly.Zhiyu-Neural',
    ...['A', 'B', 'C', 'D'].flatMap((v) => [`Google.cmn-CN-Standard-${v}`, `Google.cmn-CN-Wavenet-${v}`]),
    ...['Aoede', 'Charon', 'Fenrir', 'Kore', 'Leda', 'Orus', 'Puck', 'Zephyr'].map((v) => `Google.cmn-CN-Chirp3-HD-${v}`),
  ],
  'en-US': [
    'Polly.Joanna', 'Polly.Joanna-Neural', 'Polly.Joanna-Generative', 'Polly.Matthew', 'Polly.Matthew-Neural',
    'Polly.Matthew-Generative', 'Polly.Salli-Neural', 'Polly.Kendra-Neural', 'Polly.Joey-Neural', 'Polly.Ruth-Neural',
    'Polly.Stephen-Neural', 'Google.en-US-Neural2-A', 'Google.en-US-Neural2-C', 'Google.en-US-Neural2-D',
    'Google.en-US-Neural2-F', 'Google.en-US-Neural2-J', 'Google.en-US-Standard-C', 'Google.en-US-Wavenet-F',
    'Google.en-US-Chirp3-HD-Aoede', 'Google.en-US-Chirp3-HD-Charon',
  ],
};

/** Recognition languages Twilio documents for `<Gather language>`, for the languages we ship. */
export const TWILIO_RECOGNITION: Record<Language, readonly string[]> = {
  'zh-CN': ['cmn-Hans-CN'],
  'en-US': ['en-US'],
};

export const DEFAULT_SPEECH: Record<Language, SpeechSettings> = {
  'zh-CN': { voice: 'Google.cmn-CN-Standard-A', sayLanguage: 'cmn-CN', recognition: 'cmn-Hans-CN' },
  'en-US': { voice: 'Polly.Joanna-Neural', sayLanguage: 'en-US', recognition: 'en-US' },
};

/** Why a voice setting is wrong, or undefined when Twilio documents it. */
export function checkSpeechSettings(lang: Language, s: SpeechSettings): string | undefined {
  const voices = TWILIO_VOICES[s.sayLanguage];
  if (!voices) return `sayLanguage ${s.sayLanguage} is not a Twilio <Say> language we know for ${lang} (use ${DEFAULT_SPEECH[lang].sayLanguage})`;
  if (!voices.includes(s.voice)) return `voice ${s.voice} is not a Twilio voice for <Say language="${s.sayLanguage}"> (e.g. ${voices[0]})`;
  if (!TWILIO_RECOGNITION[lang].includes(s.recognition)) {
    return `recognition ${s.recognition} is not a Twilio <Gather> language for ${lang} (use ${TWILIO_RECOGNITION[lang].join(' or ')})`;
  }
  return undefined;
}

export function speechFor(lang: Language, configured?: Partial<Record<Language, SpeechSettings>>): SpeechSettings {
  return configured?.[lang] ?? DEFAULT_SPEECH[lang];
}

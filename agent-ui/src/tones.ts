/**
 * The browser phone's sounds, made here: Twilio's SDK would fetch its own from Twilio's CDN,
 * and the panel loads nothing from outside the server (its Content-Security-Policy says so).
 */

/** A 16-bit mono WAV of the given tone segments, as a data: URL. */
function wav(segments: Array<{ hz: number[]; ms: number }>, rate = 8000): string {
  const samples = segments.reduce((n, s) => n + Math.round((s.ms / 1000) * rate), 0);
  const buf = new DataView(new ArrayBuffer(44 + samples * 2));
  const ascii = (at: number, text: string) => [...text].forEach((c, i) => buf.setUint8(at + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  buf.setUint32(4, 36 + samples * 2, true);
  ascii(8, 'WAVEfmt ');
  buf.setUint32(16, 16, true);
  buf.setUint16(20, 1, true);
  buf.setUint16(22, 1, true);
  buf.setUint32(24, rate, true);
  buf.setUint32(28, rate * 2, true);
  buf.setUint16(32, 2, true);
  buf.setUint16(34, 16, true);
  ascii(36, 'data');
  buf.setUint32(40, samples * 2, true);
  let at = 44;
  for (const s of segments) {
    const n = Math.round((s.ms / 1000) * rate);
    for (let i = 0; i < n; i++) {
      const v = s.hz.reduce((sum, hz) => sum + Math.sin((2 * Math.PI * hz * i) / rate), 0) / Math.max(1, s.hz.length);
      buf.setInt16(at, Math.round(v * 0.3 * 32767), true);
      at += 2;
    }
  }
  let bin = '';
  const bytes = new Uint8Array(buf.buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:audio/wav;base64,${btoa(bin)}`;
}

/** DTMF pairs (Hz) by key. */
const DTMF: Record<string, [number, number]> = {
  '1': [697, 1209], '2': [697, 1336], '3': [697, 1477],
  '4': [770, 1209], '5': [770, 1336], '6': [770, 1477],
  '7': [852, 1209], '8': [852, 1336], '9': [852, 1477],
  s: [941, 1209], '0': [941, 1336], h: [941, 1477],
};

/** Every sound the Device plays, by its SoundName. */
export function phoneSounds(): Record<string, string> {
  const sounds: Record<string, string> = {
    // The Chinese ring: 450 Hz, one second on, four off (the Device loops it).
    incoming: wav([{ hz: [450], ms: 1000 }, { hz: [], ms: 4000 }]),
    outgoing: wav([{ hz: [450], ms: 150 }]),
    disconnect: wav([{ hz: [450], ms: 350 }, { hz: [], ms: 150 }, { hz: [450], ms: 350 }]),
  };
  for (const [key, hz] of Object.entries(DTMF)) sounds[`dtmf${key}`] = wav([{ hz, ms: 120 }]);
  return sounds;
}

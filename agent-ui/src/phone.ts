import type { Call, Device } from '@twilio/voice-sdk';
import { phoneSounds } from './tones.ts';
import { ApiError, get } from './api.ts';

export type PhoneState = 'off' | 'connecting' | 'ready' | 'offline' | 'not_configured' | 'ringing' | 'in_call';

interface VoiceToken {
  token: string;
  identity: string;
  expiresAt: string;
}

/** Registration that has not finished by then will not: without a route to Twilio it can retry for long. */
const REGISTER_TIMEOUT_MS = 15_000;
/** How long after a take-over an incoming call is taken to be that call and answered by itself. */
const EXPECT_MS = 60_000;

/**
 * The browser phone: a Twilio Device, loaded and registered only when the agent makes
 * themselves available or takes a call over. Every failure ends as state `offline` (or
 * `not_configured`); nothing here throws into the UI.
 */
export class Phone extends EventTarget {
  state: PhoneState = 'off';
  identity: string | null = null;
  /** The ringing call that was not answered by itself, for the agent to answer. */
  incoming: Call | null = null;
  private device: Device | null = null;
  private active: Call | null = null;
  private starting: Promise<boolean> | null = null;
  private expected: { callSid: string; identity: string; until: number } | null = null;
  private generation = 0;

  /** Whether a registered Device exists now. */
  get ready(): boolean {
    return this.state === 'ready' || this.state === 'ringing' || this.state === 'in_call';
  }

  /** Register if not registered yet; resolves whether the phone is ready (never rejects). */
  connect(): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    this.starting ??= this.start().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async start(): Promise<boolean> {
    const gen = ++this.generation;
    this.set('connecting');
    let token: VoiceToken;
    try {
      token = await get<VoiceToken>('/api/voice/token');
    } catch (err) {
      if (gen === this.generation) this.set(err instanceof ApiError && err.status === 503 ? 'not_configured' : 'offline');
      return false;
    }
    try {
      // Loaded on first use: the SDK is most of the panel's weight and many seats never need it.
      const { Device } = await import('@twilio/voice-sdk');
      if (gen !== this.generation) return false;
      const device = new Device(token.token, { logLevel: 'error', closeProtection: true, sounds: phoneSounds() });
      this.device = device;
      this.identity = token.identity;
      device.on('error', () => {
        // A failure after registration (network lost): the Device retries; say so only if it cannot.
        if (this.device === device && !device.calls.length && device.state !== 'registered') this.set('offline');
      });
      device.on('unregistered', () => {
        if (this.device === device && this.state === 'ready') this.set('offline');
      });
      device.on('registered', () => {
        if (this.device === device && !this.active) this.set('ready');
      });
      device.on('tokenWillExpire', () => void this.refresh(device));
      device.on('incoming', (call: Call) => this.incomingCall(call));
      const registered = await Promise.race([
        device.register().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REGISTER_TIMEOUT_MS)),
      ]);
      if (gen !== this.generation) return false;
      if (!registered) {
        this.drop();
        this.set('offline');
        return false;
      }
      this.set('ready');
      return true;
    } catch {
      if (gen === this.generation) {
        this.drop();
        this.set('offline');
      }
      return false;
    }
  }

  private async refresh(device: Device): Promise<void> {
    try {
      const next = await get<VoiceToken>('/api/voice/token');
      if (this.device === device) device.updateToken(next.token);
    } catch {
      // The old token still works until it expires; the Device reports the expiry as an error.
    }
  }

  /** After a take-over: the call that rings next is this one, and is answered without a click. */
  expect(callSid: string, identity: string): void {
    this.expected = { callSid, identity, until: Date.now() + EXPECT_MS };
  }

  private incomingCall(call: Call): void {
    const exp = this.expected;
    const theirSid = call.customParameters.get('callSid') ?? call.customParameters.get('CallSid');
    const to = call.parameters.To ?? '';
    const ours =
      exp !== null &&
      exp.until > Date.now() &&
      (exp.identity === this.identity || to === `client:${exp.identity}`) &&
      (theirSid === undefined || theirSid === exp.callSid);
    call.on('disconnect', () => this.ended(call));
    call.on('cancel', () => this.ended(call));
    call.on('reject', () => this.ended(call));
    call.on('error', () => this.ended(call));
    if (ours) {
      this.expected = null;
      this.answer(call);
    } else {
      this.incoming = call;
      this.set('ringing');
    }
  }

  private answer(call: Call): void {
    try {
      call.accept();
      this.active = call;
      this.incoming = null;
      this.set('in_call');
    } catch {
      this.ended(call);
    }
  }

  accept(): void {
    if (this.incoming) this.answer(this.incoming);
  }

  reject(): void {
    try {
      this.incoming?.reject();
    } catch {
      // Already gone.
    }
    if (this.incoming) this.ended(this.incoming);
  }

  hangUp(): void {
    try {
      this.active?.disconnect();
    } catch {
      // Already gone.
    }
    if (this.active) this.ended(this.active);
  }

  private ended(call: Call): void {
    if (this.active === call) this.active = null;
    if (this.incoming === call) this.incoming = null;
    if (!this.active && !this.incoming) this.set(this.device ? 'ready' : 'offline');
  }

  private drop(): void {
    const d = this.device;
    this.device = null;
    this.active = null;
    this.incoming = null;
    try {
      d?.destroy();
    } catch {
      // Destroying a Device that never registered can complain; it is gone either way.
    }
  }

  /** Sign-out: let go of the Device and forget the identity. */
  stop(): void {
    this.generation++;
    this.starting = null;
    this.expected = null;
    this.identity = null;
    this.drop();
    this.set('off');
  }

  private set(state: PhoneState): void {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new Event('change'));
  }
}

export const phone = new Phone();

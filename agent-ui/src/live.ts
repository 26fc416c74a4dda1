import { io, type Socket } from 'socket.io-client';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  emptyCall,
  foldCall,
  type AgentStatus,
  type CallView,
  type CaseAlert,
  type CaseNotice,
  type LiveEvent,
  type PanelToServer,
  type ServerToPanel,
  type SyncReply,
  type WallboardFigures,
} from '../../server/assist/protocol.ts';

export type PanelSocket = Socket<ServerToPanel, PanelToServer>;

/** An ended call stays in the list this long, so the agent sees how it ended. */
export const ENDED_VISIBLE_MS = 60_000;
const ACK_TIMEOUT_MS = 10_000;
const MAX_ALERTS = 200;

declare global {
  interface Window {
    __hotlinePanel?: { socket: PanelSocket | null };
  }
}

/**
 * The live side of the panel: one Socket.IO connection and what it tells us. Calls are folded
 * from their events with the server's own reducer, so a resync after a dropped connection
 * (or a server restart) converges on the same views without reloading the page.
 */
export class Live extends EventTarget {
  socket: PanelSocket | null = null;
  readonly calls = new Map<string, CallView>();
  /** When the panel learnt that a call ended (local clock: the list hides it a minute later). */
  private readonly endedSeen = new Map<string, number>();
  /** Calls whose full history this panel follows (the call being shown). */
  readonly watched = new Set<string>();
  wallboard: WallboardFigures | null = null;
  alerts: CaseAlert[] = [];
  online = false;
  /** The status the agent chose; sent again after every reconnect, as the server starts each socket as away. */
  presence: AgentStatus | null = null;
  private pruneTimer: ReturnType<typeof setInterval> | undefined;
  private notifyQueued = false;

  start(): void {
    if (this.socket) return;
    // A fresh manager each sign-in: the old one may still hold a refused handshake.
    const socket: PanelSocket = io({ withCredentials: true, forceNew: true, reconnectionDelayMax: 5000 });
    this.socket = socket;
    window.__hotlinePanel = { socket };

    socket.on('connect', () => {
      this.online = true;
      this.changed();
      this.sync();
    });
    socket.on('disconnect', (reason) => {
      this.online = false;
      this.changed();
      // The server let the socket go on purpose (session ended, or sweeping): Socket.IO does not
      // retry that by itself. Ask whether the session still holds before trying again.
      if (reason === 'io server disconnect') this.dispatchEvent(new Event('kicked'));
    });
    socket.on('connect_error', (err) => {
      this.online = false;
      this.changed();
      if (err.message === 'unauthorized') this.dispatchEvent(new Event('unauthorized'));
      // Any other refusal by the server's admission (a store not ready after a restart) also stops
      // Socket.IO's own retries; keep trying, since a reload is never needed.
      else if (!socket.active) setTimeout(() => this.reconnect(), 3000);
    });
    socket.on('call', (e) => {
      this.fold(e);
      this.changed();
    });
    socket.on('case', (n) => this.dispatchEvent(new CustomEvent<CaseNotice>('case', { detail: n })));
    socket.on('alert', (a) => {
      // The same alert can come again (a resent deadline scan); keep the newest copy once.
      this.alerts = [a, ...this.alerts.filter((x) => !(x.caseId === a.caseId && x.kind === a.kind && x.step === a.step && x.dueAt === a.dueAt))].slice(0, MAX_ALERTS);
      this.changed();
    });
    socket.on('wallboard', (w) => {
      this.wallboard = w;
      this.changed();
    });
    this.pruneTimer = setInterval(() => this.prune(), 5_000);
  }

  stop(): void {
    clearInterval(this.pruneTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    window.__hotlinePanel = { socket: null };
    this.calls.clear();
    this.endedSeen.clear();
    this.watched.clear();
    this.wallboard = null;
    this.alerts = [];
    this.online = false;
    this.presence = null;
    this.changed();
  }

  /** Connect again after the server let us go (only once the session is known to be valid). */
  reconnect(): void {
    if (this.socket && !this.socket.connected) this.socket.connect();
  }

  private sync(attempt = 0): void {
    const socket = this.socket;
    if (!socket) return;
    socket.timeout(ACK_TIMEOUT_MS).emit('sync', { watch: [...this.watched] }, (err: Error | null, reply: SyncReply | { error: string }) => {
      if (socket !== this.socket || !socket.connected) return;
      if (err || 'error' in reply) {
        // The server may be starting up; try a few more times on this connection.
        if (attempt < 5) setTimeout(() => this.sync(attempt + 1), 2000 * (attempt + 1));
        return;
      }
      this.applySync(reply);
      if (this.presence) socket.emit('presence', this.presence);
    });
  }

  private applySync(reply: SyncReply): void {
    for (const sid of [...this.calls.keys()]) {
      if (!(sid in reply.calls) && !this.watched.has(sid)) this.forget(sid);
    }
    for (const events of Object.values(reply.calls)) for (const e of events) this.fold(e);
    if (reply.wallboard) this.wallboard = reply.wallboard;
    this.changed();
  }

  private fold(e: LiveEvent): void {
    let view = this.calls.get(e.callSid);
    if (!view) {
      view = emptyCall(e.callSid);
      this.calls.set(e.callSid, view);
    }
    foldCall(view, e);
    if (view.status === 'ended' && !this.endedSeen.has(e.callSid)) {
      // A call synced long after it ended should not linger a full minute more; the local clock
      // bounds a server clock that runs ahead.
      const endedAt = Date.parse(view.endedAt ?? '');
      this.endedSeen.set(e.callSid, Number.isFinite(endedAt) ? Math.min(endedAt, Date.now()) : Date.now());
    }
  }

  private forget(sid: string): void {
    this.calls.delete(sid);
    this.endedSeen.delete(sid);
  }

  /** Whether an ended call is past its minute in the list. */
  expired(sid: string, now = Date.now()): boolean {
    const seen = this.endedSeen.get(sid);
    return seen !== undefined && now - seen > ENDED_VISIBLE_MS;
  }

  private prune(): void {
    let any = false;
    for (const sid of [...this.endedSeen.keys()]) {
      if (this.expired(sid) && !this.watched.has(sid)) {
        this.forget(sid);
        any = true;
      }
    }
    if (any) this.changed();
  }

  /** Follow a call's transcript and suggestions; its history so far comes with the answer. */
  watch(sid: string): void {
    if (this.watched.has(sid)) return;
    this.watched.add(sid);
    const socket = this.socket;
    // Not connected: the next sync names the watched calls and brings their history.
    if (!socket?.connected) return;
    socket.timeout(ACK_TIMEOUT_MS).emit('watch', sid, (err: Error | null, reply: { events: LiveEvent[] } | { error: string }) => {
      if (err || 'error' in reply || !this.watched.has(sid)) return;
      for (const e of reply.events) this.fold(e);
      this.changed();
    });
  }

  unwatch(sid: string): void {
    if (!this.watched.delete(sid)) return;
    if (this.socket?.connected) this.socket.emit('unwatch', sid);
    if (this.expired(sid)) {
      this.forget(sid);
      this.changed();
    }
  }

  setPresence(status: AgentStatus): void {
    this.presence = status;
    if (this.socket?.connected) this.socket.emit('presence', status);
    this.changed();
  }

  /** The server confirmed a take-over: show the call as ours before its event arrives. */
  markTaken(sid: string, agent: string): void {
    const view = this.calls.get(sid);
    if (!view || view.status === 'ended') return;
    view.status = 'with_agent';
    view.agent = agent;
    this.changed();
  }

  /** Coalesce bursts of events (a resync folds hundreds) into one re-render. */
  private changed(): void {
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      this.dispatchEvent(new Event('change'));
    });
  }
}

export const live = new Live();

/** Re-renders a component whenever the live store changes. */
export class LiveController implements ReactiveController {
  private readonly update = () => this.host.requestUpdate();
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    live.addEventListener('change', this.update);
  }
  hostDisconnected(): void {
    live.removeEventListener('change', this.update);
  }
}

/** Re-renders a component on a timer, for clocks that count (waiting time, time left). */
export class TickController implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | undefined;
  now = Date.now();
  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly everyMs: number,
  ) {
    host.addController(this);
  }
  hostConnected(): void {
    this.now = Date.now();
    this.timer = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, this.everyMs);
  }
  hostDisconnected(): void {
    clearInterval(this.timer);
  }
}

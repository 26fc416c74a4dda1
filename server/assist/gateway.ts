import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Logger } from '../log.ts';
import type { CallEvent, CallEvents } from '../events.ts';
import type { User, Users } from '../users/service.ts';
import { sessionCookie } from '../users/routes.ts';
import { SID_RE } from '../twilio/webhook.ts';
import { eventId, type CallLog } from './log.ts';
import { LIST_EVENTS, type AgentStatus, type CaseAlert, type CaseNotice, type LiveEvent, type PanelToServer, type ServerToPanel, type WallboardFigures } from './protocol.ts';

interface SocketData {
  user: User;
  status: AgentStatus;
  watching: number;
}

interface Seats {
  available: number;
  busy: number;
}
/** Between nodes: each counts its own seats (fetchSockets would send every handshake, cookies included, over Redis). */
interface NodeToNode {
  seats: (ack: (s: Seats) => void) => void;
}

type PanelSocket = Socket<PanelToServer, ServerToPanel, Record<string, never>, SocketData>;
export type PanelServer = Server<PanelToServer, ServerToPanel, NodeToNode, SocketData>;
const MAX_WATCHED = 50;

const LIST = new Set<string>(LIST_EVENTS);
const has = (u: User, ...roles: string[]) => u.roles.some((r) => r === 'admin' || roles.includes(r));
/** Who sees calls: the centre's seats. */
const seesCalls = (u: User) => has(u, 'agent', 'supervisor');

export interface GatewayDeps {
  users: Users;
  log: CallLog;
  events: CallEvents;
  logger: Logger;
  /** Cases past a deadline now, for the wallboard. */
  overdueCases: () => Promise<number>;
}

/**
 * The agent panel's live connection. A socket is admitted only with a valid session (or API
 * token); its rooms follow its roles: `centre` (agents, supervisors: the call list),
 * `call:<sid>` (the panels showing that call: transcript and suggestions), `dept:<code>`
 * (handlers: their cases), `supervisors` (wallboard and deadline alerts).
 */
export class AssistGateway {
  readonly io: PanelServer;
  /** Events of one call are stored and pushed in the order they happened here. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly off: () => void;
  private wallboardTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private wallboardDue = false;
  /** The credential each local socket came with, kept here only (never in socket data, which can travel). */
  private readonly credentials = new WeakMap<PanelSocket, { token: string; kind: 'session' | 'api' }>();
  /** Set once an adapter that reaches other nodes is installed. */
  multiNode = false;

  constructor(private readonly d: GatewayDeps) {
    this.io = new Server({
      serveClient: false,
      pingInterval: 10_000,
      pingTimeout: 8_000,
      maxHttpBufferSize: 64 * 1024,
      // Another site's page must not open a socket with the agent's cookie: the Origin, when sent, must be this host.
      allowRequest: (req, cb) => {
        const origin = req.headers.origin;
        if (!origin) return cb(null, true);
        try {
          cb(null, new URL(origin).host === req.headers.host);
        } catch {
          cb(null, false);
        }
      },
    });
    this.io.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (err: Error) => {
          if (err.message !== 'unauthorized') d.logger.error({ err }, 'panel socket could not be admitted');
          next(new Error(err.message === 'unauthorized' ? 'unauthorized' : 'unavailable'));
        },
      );
    });
    this.io.on('seats', (ack) => ack(this.localSeats()));
    this.io.on('connection', (socket) => this.connected(socket));
    this.off = d.events.on((e, local) => {
      if (local) this.forward(e);
    });
  }

  attach(server: http.Server): void {
    this.io.attach(server);
    // Sessions end (logout, expiry): their sockets are let go within a minute.
    this.sweepTimer = setInterval(() => void this.sweep(), 60_000);
    this.sweepTimer.unref();
    this.wallboardTimer = setInterval(() => this.wallboardSoon(), 30_000);
    this.wallboardTimer.unref();
  }

  async close(): Promise<void> {
    this.off();
    clearInterval(this.sweepTimer);
    clearInterval(this.wallboardTimer);
    // Events still being stored get a moment; a stuck store does not hold the shutdown.
    await Promise.race([Promise.allSettled([...this.chains.values()]), new Promise((r) => setTimeout(r, 3000).unref())]);
    // Not io.close(): that closes the HTTP server too, which the composition root closes itself.
    this.io.local.disconnectSockets(true);
    this.io.engine?.close();
  }

  private async admit(socket: PanelSocket): Promise<void> {
    const cookie = sessionCookie(socket.request.headers.cookie);
    const bearer = typeof socket.handshake.auth?.token === 'string' ? (socket.handshake.auth.token as string) : undefined;
    const token = cookie ?? bearer;
    const kind = cookie ? 'session' : 'api';
    const user = token ? await this.d.users.byToken(token, kind) : undefined;
    if (!user || user.mustChangePassword) throw new Error('unauthorized');
    socket.data.user = user;
    socket.data.status = 'away';
    socket.data.watching = 0;
    this.credentials.set(socket, { token: token!, kind });
  }

  private connected(socket: PanelSocket): void {
    const u = socket.data.user;
    const rooms = [`user:${u.username}`];
    if (seesCalls(u)) rooms.push('centre');
    if (has(u, 'supervisor')) rooms.push('supervisors');
    if (u.roles.includes('handler')) rooms.push(...u.departments.map((d) => `dept:${d}`));
    void socket.join(rooms);
    this.wallboardSoon();
    socket.on('disconnect', () => this.wallboardSoon());

    socket.on('sync', (req, ack) => {
      if (typeof ack !== 'function') return;
      this.sync(socket, Array.isArray(req?.watch) ? req.watch : []).then(ack, (err: Error) => {
        this.d.logger.error({ err, user: u.username }, 'panel sync failed');
        ack({ error: 'unavailable' });
      });
    });
    socket.on('watch', (sid, ack) => {
      if (typeof ack !== 'function') return;
      if (!seesCalls(u)) return ack({ error: 'forbidden' });
      if (typeof sid !== 'string' || !SID_RE.test(sid)) return ack({ error: 'bad_call' });
      if (!socket.rooms.has(`call:${sid}`)) {
        if (socket.data.watching >= MAX_WATCHED) return ack({ error: 'too_many' });
        socket.data.watching++;
      }
      void socket.join(`call:${sid}`);
      this.d.log.history([sid]).then(
        (h) => ack({ events: h.get(sid) ?? [] }),
        () => ack({ error: 'unavailable' }),
      );
    });
    socket.on('unwatch', (sid) => {
      if (typeof sid === 'string' && socket.rooms.has(`call:${sid}`)) {
        socket.data.watching--;
        void socket.leave(`call:${sid}`);
      }
    });
    socket.on('presence', (status) => {
      if (status !== 'available' && status !== 'busy' && status !== 'away') return;
      socket.data.status = status;
      this.wallboardSoon();
    });
  }

  private async sync(socket: PanelSocket, watch: unknown[]) {
    const u = socket.data.user;
    const user = { username: u.username, roles: u.roles, departments: u.departments };
    const calls: Record<string, LiveEvent[]> = {};
    if (seesCalls(u)) {
      const watched = watch.filter((s): s is string => typeof s === 'string' && SID_RE.test(s)).slice(0, MAX_WATCHED);
      for (const room of [...socket.rooms]) if (room.startsWith('call:')) void socket.leave(room);
      socket.data.watching = watched.length;
      if (watched.length) await socket.join(watched.map((s) => `call:${s}`));
      const live = await this.d.log.live();
      const listed = await this.d.log.history(live, LIST_EVENTS);
      const full = await this.d.log.history(watched);
      for (const [sid, events] of listed) calls[sid] = events;
      for (const [sid, events] of full) calls[sid] = events;
    }
    const wallboard = has(u, 'supervisor') ? await this.figures().catch(() => undefined) : undefined;
    return { user, calls, wallboard };
  }

  /** Store, then push: list events to every seat and the call's watchers, the rest to the watchers only. */
  private forward(e: CallEvent): void {
    const sid = e.callSid;
    const prev = this.chains.get(sid) ?? Promise.resolve();
    const next = prev.then(async () => {
      try {
        await this.push(e);
      } catch (err) {
        this.d.logger.error({ err, callSid: sid, type: e.type }, 'call event not pushed');
      }
    });
    this.chains.set(sid, next);
    void next.finally(() => {
      if (this.chains.get(sid) === next) this.chains.delete(sid);
    });
  }

  private async push(e: CallEvent): Promise<void> {
    const sid = e.callSid;
    {
      let live: LiveEvent;
      try {
        live = await this.d.log.append(e);
      } catch (err) {
        // Still shown live; only a later resync will miss it.
        this.d.logger.error({ err, callSid: sid, type: e.type }, 'call event not stored');
        live = { ...e, id: eventId() };
      }
      if (LIST.has(e.type)) this.io.to(['centre', `call:${sid}`]).emit('call', live);
      else this.io.to(`call:${sid}`).emit('call', live);
      if (e.type === 'call.started' || e.type === 'call.ended' || e.type === 'call.assigned') this.wallboardSoon();
    }
  }

  /** Every panel on this node reconnects and so asks for its calls again (after events may have been lost). */
  resyncAll(): void {
    this.io.local.disconnectSockets(true);
  }

  /** A case changed: its department's handlers and the supervisors reload it. */
  caseChanged(n: CaseNotice): void {
    const rooms = ['supervisors', ...(n.department ? [`dept:${n.department}`] : [])];
    this.io.to(rooms).emit('case', n);
    if (n.kind === 'deadline' || n.kind === 'moved') this.wallboardSoon();
  }

  /** A deadline warning or miss: pushed to supervisors and the case's department. */
  alert(a: CaseAlert): void {
    this.io.to(['supervisors', ...(a.department ? [`dept:${a.department}`] : [])]).emit('alert', a);
  }

  /** Agents (not tabs) on this node by status; one available tab makes its agent available. */
  private localSeats(): Seats {
    const best = new Map<string, AgentStatus>();
    for (const s of this.io.of('/').sockets.values()) {
      if (!seesCalls(s.data.user)) continue;
      const prev = best.get(s.data.user.username);
      if (prev !== 'available' && (s.data.status === 'available' || (s.data.status === 'busy' && prev !== 'busy') || !prev)) best.set(s.data.user.username, s.data.status);
    }
    const out = { available: 0, busy: 0 };
    for (const st of best.values()) if (st !== 'away') out[st]++;
    return out;
  }

  private async figures(): Promise<WallboardFigures> {
    const seats = [this.localSeats()];
    if (this.multiNode) {
      // A node that does not answer in time is left out of this count rather than holding it.
      const others = this.io.serverSideEmitWithAck('seats').catch(() => [] as Seats[]);
      seats.push(...(await Promise.race([others, new Promise<Seats[]>((r) => setTimeout(() => r([]), 2000).unref())])));
    }
    const sum = (k: keyof Seats) => seats.reduce((n, s) => n + (s?.[k] ?? 0), 0);
    return { agentsAvailable: sum('available'), agentsBusy: sum('busy'), overdueCases: await this.d.overdueCases(), at: new Date().toISOString() };
  }

  /** At most one wallboard push a second, however many changes cause it. */
  private wallboardSoon(): void {
    if (this.wallboardDue) return;
    this.wallboardDue = true;
    setTimeout(() => {
      this.wallboardDue = false;
      this.figures().then(
        (w) => this.io.to('supervisors').emit('wallboard', w),
        (err: Error) => this.d.logger.warn({ err }, 'wallboard figures unavailable'),
      );
    }, 1000).unref();
  }

  private async sweep(): Promise<void> {
    // A session that ended, or a user whose roles or departments changed (their rooms were chosen at connect).
    const same = (a: User, b: User) => JSON.stringify([a.roles, a.departments, a.mustChangePassword]) === JSON.stringify([b.roles, b.departments, b.mustChangePassword]);
    for (const s of this.io.of('/').sockets.values()) {
      const c = this.credentials.get(s);
      if (!c) continue;
      const now = await this.d.users.byToken(c.token, c.kind).catch(() => s.data.user);
      if (!now || !same(now, s.data.user)) s.disconnect(true);
    }
  }
}

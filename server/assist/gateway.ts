import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Logger } from '../log.ts';
import type { CallEvent, CallEvents } from '../events.ts';
import type { User, Users } from '../users/service.ts';
import { sessionCookie } from '../users/routes.ts';
import type { CallLog } from './log.ts';
import { LIST_EVENTS, type AgentStatus, type CaseAlert, type CaseNotice, type LiveEvent, type PanelToServer, type ServerToPanel, type WallboardFigures } from './protocol.ts';

interface SocketData {
  user: User;
  token: string;
  kind: 'session' | 'api';
  status: AgentStatus;
}

type PanelSocket = Socket<PanelToServer, ServerToPanel, Record<string, never>, SocketData>;
export type PanelServer = Server<PanelToServer, ServerToPanel, Record<string, never>, SocketData>;

const SID_RE = /^[A-Za-z0-9]{10,64}$/;
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

  constructor(private readonly d: GatewayDeps) {
    this.io = new Server({ serveClient: false, pingInterval: 10_000, pingTimeout: 8_000, maxHttpBufferSize: 64 * 1024 });
    this.io.use((socket, next) => {
      this.admit(socket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
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
    await Promise.allSettled([...this.chains.values()]);
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
    socket.data.token = token!;
    socket.data.kind = kind;
    socket.data.status = 'away';
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
      void socket.join(`call:${sid}`);
      this.d.log.history([sid]).then(
        (h) => ack({ events: h.get(sid) ?? [] }),
        () => ack({ error: 'unavailable' }),
      );
    });
    socket.on('unwatch', (sid) => {
      if (typeof sid === 'string') void socket.leave(`call:${sid}`);
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
      const watched = watch.filter((s): s is string => typeof s === 'string' && SID_RE.test(s)).slice(0, 50);
      if (watched.length) await socket.join(watched.map((s) => `call:${s}`));
      const live = await this.d.log.live();
      const listed = await this.d.log.history(live, LIST_EVENTS);
      const full = await this.d.log.history(watched);
      for (const [sid, events] of listed) calls[sid] = events;
      for (const [sid, events] of full) calls[sid] = events;
    }
    return { user, calls, wallboard: has(u, 'supervisor') ? await this.figures() : undefined };
  }

  /** Store, then push: list events to every seat and the call's watchers, the rest to the watchers only. */
  private forward(e: CallEvent): void {
    const sid = e.callSid;
    const prev = this.chains.get(sid) ?? Promise.resolve();
    const next = prev.then(async () => {
      let live: LiveEvent;
      try {
        live = await this.d.log.append(e);
      } catch (err) {
        // Still shown live; only a later resync will miss it.
        this.d.logger.error({ err, callSid: sid, type: e.type }, 'call event not stored');
        live = { ...e, id: `${String(Date.now()).padStart(13, '0')}-unstored-${Math.random().toString(36).slice(2, 8)}` };
      }
      if (LIST.has(e.type)) this.io.to(['centre', `call:${sid}`]).emit('call', live);
      else this.io.to(`call:${sid}`).emit('call', live);
      if (e.type === 'call.started' || e.type === 'call.ended' || e.type === 'call.assigned') this.wallboardSoon();
    });
    this.chains.set(sid, next);
    void next.finally(() => {
      if (this.chains.get(sid) === next) this.chains.delete(sid);
    });
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

  private async figures(): Promise<WallboardFigures> {
    // Across nodes: with the Redis adapter, fetchSockets asks every node.
    const seats = await this.io.in('centre').fetchSockets();
    let available = 0;
    let busy = 0;
    for (const s of seats) {
      if (s.data.status === 'available') available++;
      else if (s.data.status === 'busy') busy++;
    }
    return { agentsAvailable: available, agentsBusy: busy, overdueCases: await this.d.overdueCases(), at: new Date().toISOString() };
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
    for (const s of await this.io.local.fetchSockets()) {
      const still = await this.d.users.byToken(s.data.token, s.data.kind).catch(() => s.data.user);
      if (!still) s.disconnect(true);
    }
  }
}

import { randomBytes } from 'node:crypto';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Logger } from '../log.ts';
import type { CallEvent, CallEvents } from '../events.ts';
import type { PanelServer } from './gateway.ts';

// The clients' generic types differ by options; nothing here needs them.
type Client = ReturnType<typeof createClient> & { duplicate(): Client };

/**
 * Past one machine: the panels' sockets share rooms through `@socket.io/redis-adapter`, and
 * every node's call events reach every node's listeners (the live suggestions follow every
 * call's words) over the same Redis.
 */
export class RedisLink {
  private constructor(
    private readonly clients: Client[],
    private readonly pub: Client,
    private readonly prefix: string,
  ) {}

  /**
   * `recovered` is called when Redis comes back after an outage: what was published meanwhile
   * is lost (pub/sub keeps nothing), so the panels should resynchronise from the store.
   */
  static async connect(url: string, prefix: string, events: CallEvents, log: Logger, recovered: () => void = () => undefined): Promise<RedisLink> {
    const channel = `${prefix}:call-events`;
    // No offline queue: while Redis is away, publishing fails at once instead of piling up stale events to replay later.
    const base = createClient({ url, disableOfflineQueue: true }) as Client;
    const clients = [base, base.duplicate(), base.duplicate(), base.duplicate()];
    let down = false;
    for (const c of clients) c.on('error', (err: Error) => {
      down = true;
      log.error({ err: { message: err.message } }, 'redis connection problem; reconnecting');
    });
    clients[3]!.on('ready', () => {
      if (!down) return;
      down = false;
      log.warn('redis is back; panels resynchronise');
      recovered();
    });
    await Promise.all(clients.map((c) => c.connect()));
    const node = randomBytes(6).toString('hex');
    const link = new RedisLink(clients, clients[2]!, prefix);
    await clients[3]!.subscribe(channel, (message) => {
      try {
        const m = JSON.parse(message) as { node: string; event: CallEvent };
        if (m.node !== node) events.deliverRemote(m.event);
      } catch {
        log.warn('unreadable call event on redis; ignored');
      }
    });
    events.on((event, local) => {
      if (local) link.pub.publish(channel, JSON.stringify({ node, event })).catch((err: Error) => log.error({ err: { message: err.message } }, 'call event not published to the other nodes'));
    });
    return link;
  }

  adapt(io: PanelServer): void {
    io.adapter(createAdapter(this.clients[0]!, this.clients[1]!, { key: `${this.prefix}:socket.io`, requestsTimeout: 2000 }));
  }

  async close(): Promise<void> {
    // destroy, not quit: quit waits for a reconnect that may never come while Redis is down.
    for (const c of this.clients) c.destroy();
  }
}

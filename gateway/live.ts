/**
 * Socket.IO namespace `/live`: the wall screens and dispatch desks. The handshake is authenticated on
 * every connection (a reconnect is a new handshake, so an expired token is refused then), the Origin
 * is checked, and each client gets a snapshot, then coalesced `events` batches and `stats` once a
 * second. Snapshot and feed start in the same synchronous step, so a (re)connecting client sees no gap.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, LiveSnapshot, ServerToClientEvents } from '../shared/live_protocol.js';
import { formatTime } from '../shared/time.js';
import type { EventDoc } from '../shared/views.js';
import { levelRank, type Level } from '../shared/levels.js';
import type { Authenticator } from './auth.js';
import { CoalescingFeed } from './live_feed.js';
import { socketClients, transitionToScreenSeconds } from '../shared/metrics.js';
import { canRead, inScope, narrowScope, readScope, type Principal } from './principal.js';
import type { ReadModel, Stats } from './state.js';
import { SlidingWindowLimiter } from './rate_limit.js';

export const LIVE_NAMESPACE = '/live';
/** A connection holding this many unsent packets is slow: its next batch waits (and coalesces more). */
const CONGESTED_PACKETS = 16;

export interface LiveOptions {
  model: ReadModel;
  authenticator: Authenticator;
  now: () => number;
  batchIntervalMs?: number;
  /** `subscribe` calls per connection within a window: each one sends a whole snapshot. */
  subscribeLimit?: { max: number; windowMs: number };
}

interface ClientData {
  principal: Principal;
  scope: string[] | null;
}

export interface Live {
  close(): void;
}

/** The `allowRequest` of the Socket.IO server: no Origin (not a browser), the same origin, or a listed one. */
export function originCheck(allowed: string[] = []) {
  return (
    req: IncomingMessage,
    callback: (err: string | null | undefined, success: boolean) => void,
  ): void => {
    const origin = req.headers.origin;
    if (!origin || allowed.includes(origin)) return callback(null, true);
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    const ok = host !== undefined && host === req.headers.host;
    callback(ok ? null : 'origin not allowed', ok);
  };
}

export function attachLive(
  io: Server<ClientToServerEvents, ServerToClientEvents>,
  options: LiveOptions,
): Live {
  const { model, authenticator, now } = options;
  const limit = options.subscribeLimit ?? { max: 10, windowMs: 10_000 };
  const subscribes = new SlidingWindowLimiter(limit.max, limit.windowMs);
  const nsp = io.of(LIVE_NAMESPACE);

  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const found = authenticator.resolve(typeof token === 'string' && token ? token : undefined, true);
    if (!found.ok || !canRead(found.principal)) return next(new Error('unauthorized'));
    const data: ClientData = { principal: found.principal, scope: readScope(found.principal) };
    socket.data = data;
    next();
  });

  nsp.on('connection', (socket: LiveSocket) => {
    const data = socket.data as ClientData;
    socketClients.inc();
    const feed = new CoalescingFeed(
      (batch) => {
        socket.emit('events', batch);
        const sentAt = now();
        for (const t of batch) {
          const storedAt = model.storedAtOf(t);
          if (storedAt !== undefined)
            transitionToScreenSeconds.observe(Math.max(0, sentAt - storedAt) / 1000);
        }
      },
      {
        now,
        intervalMs: options.batchIntervalMs,
        congested: () => unsent(socket) > CONGESTED_PACKETS,
      },
    );
    const stopFollowing = model.onChange((doc) => {
      if (inScope(data.scope, doc.city)) feed.push(doc);
    });
    const stopIncidents = model.onIncident((doc) => {
      if (inScope(data.scope, doc.city)) feed.push(doc);
    });
    socket.emit('snapshot', snapshot(data.scope));

    socket.on('subscribe', (msg: unknown, ack?: unknown) => {
      // Typed for friendly clients, checked for all: any client may send anything.
      const answer =
        typeof ack === 'function'
          ? (ack as NonNullable<Parameters<ClientToServerEvents['subscribe']>[1]>)
          : () => {};
      // 2,000 subscribes from one anonymous viewer once made 104 MB of snapshots in 6 s.
      if (!subscribes.take(socket.id, now())) {
        answer({
          ok: false,
          error: 'CADRE_ERR_RATE_LIMITED',
          message: 'Too many subscribe calls; wait a little',
        });
        return;
      }
      const city = (msg as { city?: unknown } | null)?.city ?? null;
      const scope = typeof city === 'string' || city === null ? narrowScope(data.principal, city) : undefined;
      if (scope === undefined) {
        // Never String(city): a client's {"toString": 1} makes that throw, out of this handler.
        const named = typeof city === 'string' ? city : `a city given as ${typeof city}`;
        answer({ ok: false, error: 'CADRE_ERR_FORBIDDEN', message: `Not allowed to follow ${named}` });
        return;
      }
      data.scope = scope;
      feed.clear();
      socket.emit('snapshot', snapshot(scope));
      answer({ ok: true });
    });

    socket.on('disconnect', () => {
      stopFollowing();
      stopIncidents();
      feed.close();
      socketClients.dec();
    });
  });

  const statsTimer = setInterval(() => {
    const byScope = new Map<string, Stats>();
    const clients = nsp.sockets.size;
    for (const socket of nsp.sockets.values()) {
      const { scope } = socket.data as ClientData;
      const key = scope ? scope.join(',') : '*';
      let stats = byScope.get(key);
      if (!stats) byScope.set(key, (stats = model.stats(scope, clients)));
      socket.emit('stats', { ...stats, point: model.series.point(now()) });
    }
  }, 1000);
  statsTimer.unref();

  function snapshot(scope: string[] | null): LiveSnapshot {
    const events: EventDoc[] = [];
    const grids = new Map<string, { id: string; level: Level; active: number }>();
    for (const doc of model.activeEvents()) {
      if (!inScope(scope, doc.city)) continue;
      events.push(doc);
      const grid = grids.get(doc.grid);
      if (!grid) grids.set(doc.grid, { id: doc.grid, level: doc.level, active: 1 });
      else {
        grid.active += 1;
        if (levelRank(doc.level) > levelRank(grid.level)) grid.level = doc.level;
      }
    }
    const incidents = model
      .allIncidents()
      .filter((i) => (i.state === 'open' || i.state === 'acknowledged') && inScope(scope, i.city));
    return {
      events,
      incidents,
      grids: [...grids.values()],
      stats: model.stats(scope, nsp.sockets.size),
      series: model.series.series(now()),
      at: formatTime(now()),
    };
  }

  return {
    close: () => clearInterval(statsTimer),
  };
}

/** Packets engine.io holds for the connection (its write buffer is not part of the typed API). */
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

function unsent(socket: LiveSocket): number {
  return (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
}

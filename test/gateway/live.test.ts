/**
 * Socket.IO `/live` against a listening gateway and real socket.io clients: handshake auth and origin,
 * scoping, coalescing under a 100,000-transition storm, and reconnects without gaps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectIo, type Socket } from 'socket.io-client';
import { useNats } from '../helpers/nats.js';
import type { Gateway } from '../../gateway/server.js';
import type { EventTransition } from '../../shared/schemas.js';
import {
  ensureCadreStreams,
  floodTransitions,
  INGEST_KEY,
  loginToken,
  publishTransitions,
  putEventDoc,
  startGateway,
  testConfig,
  transition,
  until,
} from './helpers.js';

const nats = useNats();
let gw: Gateway;
let url: string;
let clockOffset = 0;
const tokens: Record<string, string> = {};

/** What a screen holds: the snapshot, then every batch applied by seq; ended events leave. */
class Screen {
  readonly events = new Map<string, EventTransition>();
  private readonly seqs = new Map<string, number>();
  batches: { at: number; size: number }[] = [];
  snapshots = 0;
  stats = 0;

  constructor(readonly socket: Socket) {
    socket.on('snapshot', (s: { events: EventTransition[] }) => {
      this.snapshots += 1;
      this.events.clear();
      this.seqs.clear();
      for (const e of s.events) this.apply(e);
    });
    socket.on('events', (batch: EventTransition[]) => {
      this.batches.push({ at: Date.now(), size: batch.length });
      for (const t of batch) this.apply(t);
    });
    socket.on('stats', () => (this.stats += 1));
  }

  private apply(t: EventTransition): void {
    if ((this.seqs.get(t.id) ?? 0) >= t.seq) return;
    this.seqs.set(t.id, t.seq);
    if (t.state === 'open' || t.state === 'acknowledged') this.events.set(t.id, t);
    else this.events.delete(t.id);
  }

  /** id:seq of every active event, sorted: the state to compare. */
  digest(): string[] {
    return [...this.events.values()].map((e) => `${e.id}:${e.seq}`).sort();
  }
}

function serverDigest(city?: string): string[] {
  return [...gw.model.activeEvents()]
    .filter((e) => !city || e.city === city)
    .map((e) => `${e.id}:${e.seq}`)
    .sort();
}

function connect(
  auth: object | undefined,
  options: { origin?: string; reconnection?: boolean } = {},
): Socket {
  return connectIo(`${url}/live`, {
    auth,
    transports: ['websocket'],
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    forceNew: true,
    extraHeaders: options.origin ? { origin: options.origin } : undefined,
  });
}

function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('snapshot', () => resolve('snapshot'));
    socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
  });
}

async function openScreen(
  token: string | undefined,
  options: { reconnection?: boolean } = {},
): Promise<Screen> {
  const socket = connect(token ? { token } : undefined, options);
  const screen = new Screen(socket);
  expect(await outcome(socket)).toBe('snapshot');
  return screen;
}

beforeAll(async () => {
  await ensureCadreStreams(nats.nc);
  const seeded = [
    transition({ id: 'seed-xt', city: 'XT', grid: 'XT-YH-0003' }),
    transition({ id: 'seed-hy', city: 'HY', grid: 'HY-ZH-0002', level: 'red' }),
  ];
  await publishTransitions(nats.nc, seeded);
  for (const doc of seeded) await putEventDoc(nats.nc, doc);
  gw = await startGateway(nats.nc, {
    config: await testConfig({ tokenTtl: '1h' }),
    now: () => Date.now() + clockOffset,
  });
  url = await gw.start(0);
  for (const name of ['admin', 'xt-viewer', 'viewer']) {
    tokens[name] = await loginToken(gw, name);
  }
});

afterAll(async () => {
  await gw?.close();
});

describe('handshake', () => {
  it('admits a valid token and refuses no token, a forged one, and an ingest key', async () => {
    const cases: [string, object | undefined][] = [
      ['valid', { token: tokens.admin }],
      ['none', undefined],
      ['forged', { token: tokens.admin!.slice(0, -4) + 'AAAA' }],
      ['ingest key', { token: INGEST_KEY }],
    ];
    const results: string[] = [];
    for (const [label, auth] of cases) {
      const socket = connect(auth);
      results.push(`${label}: ${await outcome(socket)}`);
      socket.close();
    }
    expect(results).toEqual([
      'valid: snapshot',
      'none: refused: unauthorized',
      'forged: refused: unauthorized',
      'ingest key: refused: unauthorized',
    ]);
  });

  it('checks the Origin: the same origin passes, another is refused', async () => {
    const host = new URL(url).host;
    const same = connect({ token: tokens.admin }, { origin: `http://${host}` });
    expect(await outcome(same)).toBe('snapshot');
    same.close();
    const other = connect({ token: tokens.admin }, { origin: 'https://evil.example' });
    expect(await outcome(other)).toMatch(/^refused/);
    other.close();
  });

  it('lets a wall screen watch without a token when anonymousViewer is on', async () => {
    const wall = await startGateway(nats.nc, { config: await testConfig({ anonymousViewer: true }) });
    const wallUrl = await wall.start(0);
    try {
      const socket = connectIo(`${wallUrl}/live`, {
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const screen = new Screen(socket);
      expect(await outcome(socket)).toBe('snapshot');
      expect(screen.digest()).toEqual(expect.arrayContaining(['seed-hy:1', 'seed-xt:1']));
      socket.close();
    } finally {
      await wall.close();
    }
  });

  it('re-checks the token on every reconnect: an expired token is refused then', async () => {
    const screen = await openScreen(tokens.admin, { reconnection: true });
    const refused = new Promise<string>((resolve) =>
      screen.socket.io.once('reconnect_error', (err) => resolve(err.message)),
    );
    const refusedConnect = new Promise<string>((resolve) =>
      screen.socket.once('connect_error', (err) => resolve(err.message)),
    );
    clockOffset = 2 * 3_600_000; // past the 1 h token lifetime
    try {
      screen.socket.io.engine.close(); // the network drops; the client reconnects with the same token
      expect(await Promise.race([refused, refusedConnect])).toBe('unauthorized');
    } finally {
      clockOffset = 0;
      screen.socket.close();
    }
  });
});

describe('subscribe flood', () => {
  it('sends a snapshot for at most 10 subscribes per connection in 10 s, and refuses the rest', async () => {
    const admin = await openScreen(tokens.admin);
    try {
      const answers = await Promise.all(
        Array.from({ length: 200 }, () => admin.socket.emitWithAck('subscribe', { city: 'HY' })),
      );
      expect(answers.filter((a) => a.ok)).toHaveLength(10);
      expect(answers.filter((a) => a.error === 'CADRE_ERR_RATE_LIMITED')).toHaveLength(190);
      expect(admin.snapshots).toBe(11); // the one on connect, and ten
    } finally {
      admin.socket.close();
    }
  });
});

describe('scope', () => {
  it('holds a viewer of one city to it, and lets an admin narrow with subscribe', async () => {
    const xt = await openScreen(tokens['xt-viewer']);
    const admin = await openScreen(tokens.admin);
    try {
      expect(xt.digest()).toEqual(['seed-xt:1']);
      expect(admin.digest()).toEqual(['seed-hy:1', 'seed-xt:1']);

      const denied = await xt.socket.emitWithAck('subscribe', { city: 'HY' });
      expect(denied).toMatchObject({ ok: false, error: 'CADRE_ERR_FORBIDDEN' });
      expect(await admin.socket.emitWithAck('subscribe', { city: 'HY' })).toEqual({ ok: true });
      expect(admin.snapshots).toBe(2);
      expect(admin.digest()).toEqual(['seed-hy:1']);

      await publishTransitions(nats.nc, [
        transition({ id: 'late-xt', city: 'XT' }),
        transition({ id: 'late-hy', city: 'HY', grid: 'HY-SG-0005' }),
      ]);
      await until(() => xt.events.has('late-xt') && admin.events.has('late-hy'));
      await new Promise((r) => setTimeout(r, 400));
      expect(xt.events.has('late-hy')).toBe(false);
      expect(admin.events.has('late-xt')).toBe(false);
    } finally {
      xt.socket.close();
      admin.socket.close();
    }
  });
});

/** `events` per `transitions` of each of `count` events, interleaved; every third event ends. */
function storm(prefix: string, count: number, perEvent: number): EventTransition[] {
  const base = transition({ city: 'XT', grid: 'XT-YT-0010' });
  const list: EventTransition[] = [];
  for (let seq = 1; seq <= perEvent; seq++) {
    for (let i = 0; i < count; i++) {
      const last = seq === perEvent;
      const ends = last && i % 3 === 0;
      list.push({
        ...base,
        id: `${prefix}-${i}`,
        city: i % 2 ? 'XT' : 'HY',
        grid: i % 2 ? 'XT-YT-0010' : 'HY-SG-0005',
        seq,
        transition: seq === 1 ? 'opened' : ends ? 'cleared' : 'updated',
        state: ends ? 'cleared' : 'open',
        level: (['blue', 'yellow', 'orange', 'red'] as const)[seq % 4]!,
      });
    }
  }
  return list;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The most `events` messages a screen got within any one second. */
function peakPerSecond(batches: { at: number }[]): number {
  let peak = 0;
  for (let i = 0, j = 0; i < batches.length; i++) {
    while (batches[i]!.at - batches[j]!.at >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

describe('storm', () => {
  it('costs a screen a few batches a second under 100,000 transitions, and ends in the server state', async () => {
    const steady = await openScreen(tokens.admin);
    const xt = await openScreen(tokens['xt-viewer']);
    const list = storm('storm', 2000, 50);
    const started = Date.now();
    await floodTransitions(nats.nc, list);
    const published = Date.now();
    // Every event's last transition applied (not only the last published: the consumer applies in
    // order, but a loaded machine can leave the end of the flood a moment behind).
    await until(() => list.every((t) => t.seq < 50 || gw.model.event(t.id)?.seq === 50), 60_000);
    const applied = Date.now();
    await new Promise((r) => setTimeout(r, 600)); // the last batch goes out within 250 ms
    const spanSeconds = (steady.batches.at(-1)!.at - steady.batches[0]!.at) / 1000;
    const figures = {
      transitions: list.length,
      publishMs: published - started,
      applyMs: applied - started,
      batches: steady.batches.length,
      peakBatchesPerSecond: peakPerSecond(steady.batches),
      meanBatchesPerSecond: Math.round(((steady.batches.length - 1) / spanSeconds) * 10) / 10,
      medianGapMs: median(steady.batches.slice(1).map((b, i) => b.at - steady.batches[i]!.at)),
      largestBatch: Math.max(...steady.batches.map((b) => b.size)),
      transitionsSent: steady.batches.reduce((a, b) => a + b.size, 0),
    };
    console.log('storm figures', JSON.stringify(figures));

    try {
      // The server sends a batch at most every 250 ms; arrival times at a client in the same (loaded)
      // process can bunch by a batch.
      expect(figures.medianGapMs).toBeGreaterThanOrEqual(240);
      expect(figures.peakBatchesPerSecond).toBeLessThanOrEqual(6);
      // How much each batch coalesces depends on how fast the storm arrives (machine load); that it
      // coalesces at all shows in fewer transitions sent than published.
      expect(figures.transitionsSent).toBeLessThan(list.length);
      expect(steady.digest()).toEqual(serverDigest());
      expect(steady.events.size).toBe(2 + 2 + 2000 - 667); // seeds, late events, the storm's survivors
      expect(xt.digest()).toEqual(serverDigest('XT'));
    } finally {
      steady.socket.close();
      xt.socket.close();
    }
  }, 90_000);

  it('a screen that drops during a storm and reconnects ends with exactly the state of one that never dropped', async () => {
    const steady = await openScreen(tokens.viewer);
    const dropping = await openScreen(tokens.viewer, { reconnection: true });
    let reconnects = 0;
    dropping.socket.io.on('reconnect', () => (reconnects += 1));
    const list = storm('again', 2000, 50);
    const flood = floodTransitions(nats.nc, list);
    await until(() => (gw.model.event('again-0')?.seq ?? 0) >= 5, 30_000);
    dropping.socket.io.engine.close(); // mid-storm
    await flood;
    await until(() => gw.model.event('again-1999')?.seq === 50, 60_000);
    await until(() => reconnects === 1, 10_000);
    await new Promise((r) => setTimeout(r, 600));
    try {
      expect(dropping.snapshots).toBe(2);
      expect(dropping.digest()).toEqual(steady.digest());
      expect(steady.digest()).toEqual(serverDigest());
    } finally {
      steady.socket.close();
      dropping.socket.close();
    }
  }, 90_000);

  it('sends stats about once a second with the current minute point', async () => {
    const screen = await openScreen(tokens.admin);
    const stats = await new Promise<Record<string, unknown>>((resolve) =>
      screen.socket.once('stats', resolve),
    );
    expect(stats).toMatchObject({ clients: 1, active: expect.objectContaining({ red: expect.any(Number) }) });
    expect(stats.point).toMatchObject({
      t: expect.any(Number),
      red: expect.any(Number),
      input: expect.any(Number),
    });
    const metrics = await gw.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/cadre_socket_clients 1\b/);
    screen.socket.close();
  });
});

/**
 * UI development fixture: serves ui/dist and speaks API_SPEC.md's REST + Socket.IO `/live` shapes with
 * canned, live-looking data, so the UI can be worked on without NATS, processor or gateway. A
 * developer aid only (docs/ui.md); tests of the real system never use it.
 *
 *   npx vite build --config ui/vite.config.ts && npx tsx ui/dev/fixture_server.ts [--port 3000] [--grids 600] [--no-anon]
 *
 * Users: admin/admin (all cities), cs/cs (dispatcher of 长沙 CS), viewer/viewer. /dev has a storm
 * button, a stats pause (to see "stale") and a kick (to see "reconnecting").
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Server, type Socket } from 'socket.io';
import type { EventDoc } from '../../shared/views.js';
import type { Level } from '../../shared/levels.js';
import {
  iso,
  makeGridDoc,
  makeTopology,
  openEvent,
  pick,
  pickLevel,
  rng,
  type FixtureGrid,
} from './fixture_data.js';
import { renderDevPage } from './dev_page.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const PORT = Number(arg('port', process.env.PORT ?? '3000'));
const HOST = process.env.HOST ?? '127.0.0.1';
const ANON = !args.includes('--no-anon');
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const LEVELS: Level[] = ['red', 'orange', 'yellow', 'blue'];
const raise = (l: Level): Level => LEVELS[Math.max(0, LEVELS.indexOf(l) - 1)]!;

// ---------- data ----------
const r = rng(42);
const topo = makeTopology(Number(arg('grids', '600')));
const gridById = new Map<string, FixtureGrid>(topo.grids.map((g) => [g.id, g]));
const events = new Map<string, EventDoc>();
const history = new Map<string, EventDoc[]>();
const clearedAlarms = new Set<string>();
const isActive = (e: EventDoc) => e.state === 'open' || e.state === 'acknowledged';

type User = { name: string; role: 'viewer' | 'dispatcher' | 'admin'; cities: string[]; password: string };
const USERS: User[] = [
  { name: 'admin', role: 'admin', cities: [], password: 'admin' },
  { name: 'cs', role: 'dispatcher', cities: ['CS'], password: 'cs' },
  { name: 'viewer', role: 'viewer', cities: [], password: 'viewer' },
];
const tokens = new Map<string, User>();
const ANONYMOUS: User = { name: 'anonymous', role: 'viewer', cities: [], password: '' };
const allCities = topo.cities.map((c) => c.id);
const citiesOf = (u: User) => (u.role === 'dispatcher' ? u.cities : allCities);

function record(e: EventDoc): EventDoc {
  events.set(e.id, e);
  const h = history.get(e.id) ?? [];
  h.push(e);
  history.set(e.id, h);
  return e;
}

function next(e: EventDoc, patch: Partial<EventDoc>, at = Date.now()): EventDoc {
  return record({ ...e, ...patch, seq: e.seq + 1, at: iso(at) });
}

// Seed: ~9% of grids with an active event, ages up to 10 h, some acknowledged/assigned.
{
  const now = Date.now();
  for (const g of topo.grids) {
    if (r() > 0.09) continue;
    const e = record(openEvent(r, g, pickLevel(r), now, r() * r() * 10 * 3_600_000));
    if (r() < 0.45) {
      const ackAt = Math.min(now - 120_000, Date.parse(e.openedAt) + r() * 40 * 60_000);
      const acked = next(e, { transition: 'acknowledged', state: 'acknowledged', by: 'cs' }, ackAt);
      if (r() < 0.5)
        next(
          acked,
          { transition: 'assigned', assignee: pick(r, ['张工', '李工', '王班长', '赵工']), by: 'cs' },
          ackAt + 60_000,
        );
    }
  }
}

// Series: 60 minutes back, per minute.
const series = {
  t: [] as number[],
  red: [] as number[],
  orange: [] as number[],
  yellow: [] as number[],
  blue: [] as number[],
  input: [] as number[],
  lag: [] as number[],
};
{
  const minute = Math.floor(Date.now() / 60_000) * 60;
  for (let i = 59; i >= 0; i--) {
    series.t.push(minute - i * 60);
    series.red.push(r() < 0.2 ? 1 : 0);
    series.orange.push(Math.floor(r() * 3));
    series.yellow.push(Math.floor(r() * 6));
    series.blue.push(r() < 0.3 ? 1 : 0);
    series.input.push(Math.round(780 + 120 * Math.sin(i / 9) + r() * 60));
    series.lag.push(+(0.15 + r() * 0.3).toFixed(2));
  }
}

// ---------- simulation ----------
let stormUntil = 0;
let statsPaused = false;
const storming = () => Date.now() < stormUntil;
const target = () => Math.round(topo.grids.length * 0.09);

function countInSeries(e: EventDoc): void {
  if (e.transition !== 'opened' && e.transition !== 'escalated') return;
  const minute = Math.floor(Date.parse(e.at) / 60_000) * 60;
  const last = series.t.length - 1;
  if (series.t[last] !== minute) rollSeries(minute);
  series[e.level][series.t.length - 1]!++;
}

function rollSeries(minute: number): void {
  for (const k of Object.keys(series) as (keyof typeof series)[]) {
    series[k].push(k === 't' ? minute : k === 'input' || k === 'lag' ? series[k][series[k].length - 1]! : 0);
    if (series[k].length > 60) series[k].shift();
  }
}

function simulate(dt: number): EventDoc[] {
  const out: EventDoc[] = [];
  const now = Date.now();
  const rate = storming() ? 320 : 1.2;
  let n = Math.floor(rate * dt + r());
  const active = [...events.values()].filter(isActive);
  while (n-- > 0) {
    const x = r();
    const over = active.length - target();
    if (storming() ? x < 0.7 : x < 0.35 - over * 0.01) {
      const g = pick(r, topo.grids);
      const e = openEvent(r, g, pickLevel(r, storming()), now);
      out.push(record(e));
      active.push(e);
    } else if (active.length) {
      const e = pick(r, active);
      if (!isActive(events.get(e.id)!)) continue;
      const cur = events.get(e.id)!;
      const y = r();
      if (storming() ? y < 0.6 : y < 0.15)
        out.push(
          next(
            cur,
            { transition: 'escalated', level: raise(cur.level), escalationStep: cur.escalationStep + 1 },
            now,
          ),
        );
      else if (y < 0.35 && cur.state === 'open')
        out.push(next(cur, { transition: 'acknowledged', state: 'acknowledged', by: 'cs' }, now));
      else if (y < 0.45) out.push(next(cur, { transition: 'updated' }, now));
      else if (!storming() || over > 0) {
        cur.evidence.alarms.forEach((a) => clearedAlarms.add(a));
        out.push(
          next(
            cur,
            {
              transition: cur.rule === 'complaint' ? 'resolved' : 'cleared',
              state: cur.rule === 'complaint' ? 'resolved' : 'cleared',
              by: cur.rule === 'complaint' ? '张工' : undefined,
            },
            now,
          ),
        );
      }
    }
  }
  // Deadline escalation: an open event past its ack deadline escalates once.
  for (const e of events.values()) {
    if (e.state === 'open' && e.escalationStep === 0 && Date.parse(e.ackDeadline) < now && r() < 0.02) {
      out.push(next(e, { transition: 'escalated', level: raise(e.level), escalationStep: 1 }, now));
    }
  }
  out.forEach(countInSeries);
  return out;
}

function stats() {
  const active = { red: 0, orange: 0, yellow: 0, blue: 0 } as Record<Level, number>;
  for (const e of events.values()) if (isActive(e)) active[e.level]++;
  const storm = storming();
  const inputRate = Math.round((storm ? 5200 : 800) + r() * (storm ? 900 : 90));
  const lagSeconds = +(storm ? 2 + r() * 6 : 0.1 + r() * 0.3).toFixed(2);
  const last = series.t.length - 1;
  const minute = Math.floor(Date.now() / 60_000) * 60;
  if (series.t[last] !== minute) rollSeries(minute);
  const i = series.t.length - 1;
  series.input[i] = Math.round((series.input[i]! * 3 + inputRate) / 4);
  series.lag[i] = Math.max(storm ? 0 : series.lag[i]! * 0.5, lagSeconds);
  return {
    at: iso(Date.now()),
    inputRate,
    rates: {
      alarm: Math.round(inputRate * 0.3),
      kpi: Math.round(inputRate * 0.65),
      complaint: Math.round(inputRate * 0.05),
    },
    lagSeconds,
    active,
    clients: io.of('/live').sockets.size,
    point: {
      t: series.t[i]!,
      red: series.red[i]!,
      orange: series.orange[i]!,
      yellow: series.yellow[i]!,
      blue: series.blue[i]!,
      input: series.input[i]!,
      lag: series.lag[i]!,
    },
  };
}

// ---------- HTTP ----------
function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
const fail = (res: ServerResponse, status: number, error: string, message: string, extra: object = {}) =>
  send(res, status, { error, message, ...extra });

function userOf(req: IncomingMessage): User | null {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (m) return tokens.get(m[1]!) ?? null;
  return ANON ? ANONYMOUS : null;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function gridDoc(id: string) {
  const grid = gridById.get(id)!;
  const own = [...events.values()].filter((e) => e.grid === id);
  return { grid, own, doc: makeGridDoc(grid, own, clearedAlarms, Date.now()) };
}

async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  if (req.method === 'POST' && path === '/api/login') {
    const b = await body(req);
    const u = USERS.find((x) => x.name === b.username && x.password === b.password);
    if (!u) return fail(res, 401, 'CADRE_ERR_UNAUTHORIZED', 'Missing or invalid credentials');
    const token = randomBytes(16).toString('hex');
    tokens.set(token, u);
    return send(res, 200, {
      token,
      role: u.role,
      cities: u.cities,
      name: u.name,
      expiresAt: iso(Date.now() + 12 * 3_600_000),
    });
  }
  const user = userOf(req);
  if (!user) return fail(res, 401, 'CADRE_ERR_UNAUTHORIZED', 'Missing or invalid credentials');
  if (path === '/api/me') {
    if (user === ANONYMOUS) return fail(res, 401, 'CADRE_ERR_UNAUTHORIZED', 'Not logged in');
    return send(res, 200, { name: user.name, role: user.role, cities: user.cities });
  }
  if (path === '/api/topology')
    return send(res, 200, topo, { 'cache-control': 'no-cache', etag: `"topo-${topo.grids.length}"` });
  if (path === '/api/events') {
    const q = url.searchParams;
    const list = [...events.values()]
      .filter((e) => (q.get('state') === 'all' ? true : isActive(e)))
      .filter((e) => citiesOf(user).includes(e.city))
      .filter((e) => !q.get('city') || e.city === q.get('city'))
      .filter((e) => !q.get('grid') || e.grid === q.get('grid'))
      .filter((e) => !q.get('level') || e.level === q.get('level'))
      .filter((e) => !q.get('rule') || e.rule === q.get('rule'))
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .slice(0, Number(q.get('limit') ?? 1000));
    return send(res, 200, { events: list });
  }
  const ev = /^\/api\/events\/([^/]+)(?:\/(ack|assign|comment|plan|resolve))?$/.exec(path);
  if (ev) {
    const e = events.get(decodeURIComponent(ev[1]!));
    if (!e) return fail(res, 404, 'CADRE_ERR_UNKNOWN_EVENT', 'Event not found');
    if (!ev[2]) return send(res, 200, { event: e, history: history.get(e.id) ?? [] });
    if (req.method !== 'POST') return fail(res, 404, 'CADRE_ERR_NOT_FOUND', 'Not found');
    if (!(user.role === 'admin' || (user.role === 'dispatcher' && user.cities.includes(e.city))))
      return fail(res, 403, 'CADRE_ERR_FORBIDDEN', 'Not allowed for this role or city');
    if (!isActive(e)) return fail(res, 409, 'CADRE_ERR_CONFLICT', 'The event has ended', { alarms: [] });
    const b = await body(req);
    const by = user.name;
    let out: EventDoc;
    switch (ev[2]) {
      case 'ack':
        if (e.state !== 'open')
          return fail(res, 409, 'CADRE_ERR_CONFLICT', 'Already acknowledged', { alarms: [] });
        out = next(e, { transition: 'acknowledged', state: 'acknowledged', by });
        break;
      case 'assign':
        if (typeof b.to !== 'string' || !b.to)
          return fail(res, 400, 'CADRE_ERR_BAD_REQUEST', '`to` is required');
        out = next(e, { transition: 'assigned', assignee: b.to, by });
        break;
      case 'comment':
        if (typeof b.text !== 'string' || !b.text)
          return fail(res, 400, 'CADRE_ERR_BAD_REQUEST', '`text` is required');
        out = next(e, { transition: 'commented', text: b.text, by });
        break;
      case 'plan': {
        const p = b as { at?: string; scenario?: string };
        if (!p.at || !p.scenario || Number.isNaN(Date.parse(p.at)))
          return fail(res, 400, 'CADRE_ERR_BAD_REQUEST', '`at` (ISO time) and `scenario` are required');
        out = next(e, { transition: 'planned', plan: { at: p.at, scenario: p.scenario }, by });
        break;
      }
      default: {
        const uncleared =
          e.rule === 'complaint' ? e.evidence.alarms.filter((a) => !clearedAlarms.has(a)) : [];
        if (uncleared.length)
          return fail(res, 409, 'CADRE_ERR_CONFLICT', 'Evidence alarms are not cleared', {
            alarms: uncleared,
          });
        out = next(e, {
          transition: 'resolved',
          state: 'resolved',
          text: typeof b.note === 'string' ? b.note : undefined,
          by,
        });
      }
    }
    broadcast([out]);
    return send(res, 200, { event: out });
  }
  const gr = /^\/api\/grids\/([^/]+)$/.exec(path);
  if (gr) {
    const id = decodeURIComponent(gr[1]!);
    if (!gridById.has(id)) return fail(res, 404, 'CADRE_ERR_NOT_FOUND', 'Grid not found');
    const { grid, own, doc } = gridDoc(id);
    return send(res, 200, {
      grid,
      status: doc,
      events: own.filter(isActive),
      history: own
        .filter((e) => !isActive(e))
        .slice(-50)
        .reverse(),
    });
  }
  if (path === '/api/scorecards')
    return send(res, 200, {
      period: 'P1D',
      from: iso(Date.now() - 86_400_000),
      to: iso(Date.now()),
      scorecards: [],
    });
  return fail(res, 404, 'CADRE_ERR_NOT_FOUND', 'Not found');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

async function serveStatic(res: ServerResponse, path: string): Promise<void> {
  const file = normalize(join(DIST, path));
  const inside = file.startsWith(DIST) && extname(file) !== '';
  try {
    const data = await readFile(inside ? file : join(DIST, 'index.html'));
    res.writeHead(200, {
      'content-type': inside ? (TYPES[extname(file)] ?? 'application/octet-stream') : TYPES['.html']!,
    });
    res.end(data);
  } catch {
    if (inside) return fail(res, 404, 'CADRE_ERR_NOT_FOUND', 'Not found');
    res
      .writeHead(503, { 'content-type': 'text/plain' })
      .end('ui/dist is missing: run `npx vite build --config ui/vite.config.ts` first');
  }
}

const http = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/healthz') return send(res, 200, { ok: true });
  if (url.pathname === '/dev' && req.method === 'GET')
    return void res.writeHead(200, { 'content-type': TYPES['.html']! }).end(renderDevPage());
  if (url.pathname.startsWith('/dev/') && req.method === 'POST') {
    if (url.pathname === '/dev/storm')
      stormUntil = Date.now() + Number(url.searchParams.get('seconds') ?? 30) * 1000;
    if (url.pathname === '/dev/calm') stormUntil = 0;
    if (url.pathname === '/dev/pause-stats') statsPaused = !statsPaused;
    if (url.pathname === '/dev/kick') io.of('/live').disconnectSockets(false);
    return send(res, 200, { storming: storming(), statsPaused });
  }
  if (url.pathname.startsWith('/api/')) {
    api(req, res, url).catch((err: Error) => fail(res, 500, 'CADRE_ERR_UNAVAILABLE', err.message));
    return;
  }
  void serveStatic(res, url.pathname);
});

// ---------- Socket.IO /live ----------
const io = new Server(http, { path: '/socket.io', maxHttpBufferSize: 16 * 1024 });
type Client = { user: User; scope: string[]; buffer: EventDoc[] };
const clients = new Map<Socket, Client>();

io.of('/live').use((socket, next) => {
  const token = (socket.handshake.auth as { token?: string }).token;
  const user = token ? tokens.get(token) : ANON ? ANONYMOUS : undefined;
  if (!user) return next(new Error('unauthorized'));
  socket.data.user = user;
  next();
});

function snapshot(c: Client) {
  const inScope = [...events.values()].filter((e) => isActive(e) && c.scope.includes(e.city));
  const grids = new Map<string, { id: string; level: Level; active: number }>();
  for (const e of inScope) {
    const g = grids.get(e.grid);
    if (!g) grids.set(e.grid, { id: e.grid, level: e.level, active: 1 });
    else {
      g.active++;
      if (LEVELS.indexOf(e.level) < LEVELS.indexOf(g.level)) g.level = e.level;
    }
  }
  return { events: inScope, grids: [...grids.values()], stats: stats(), series, at: iso(Date.now()) };
}

io.of('/live').on('connection', (socket) => {
  const user = socket.data.user as User;
  const c: Client = { user, scope: citiesOf(user), buffer: [] };
  clients.set(socket, c);
  socket.emit('snapshot', snapshot(c));
  socket.on('subscribe', (msg: { city?: string | null }) => {
    const allowed = citiesOf(user);
    c.scope = msg?.city ? allowed.filter((x) => x === msg.city) : allowed;
    c.buffer = [];
    socket.emit('snapshot', snapshot(c));
  });
  socket.on('disconnect', () => clients.delete(socket));
});

function broadcast(list: EventDoc[]): void {
  for (const c of clients.values()) for (const e of list) if (c.scope.includes(e.city)) c.buffer.push(e);
}

let last = Date.now();
setInterval(() => {
  const now = Date.now();
  broadcast(simulate((now - last) / 1000));
  last = now;
  for (const [socket, c] of clients) {
    if (!c.buffer.length) continue;
    let batch = c.buffer;
    // Coalesce like the gateway: a large batch keeps only each event's latest transition.
    if (batch.length > 200) batch = [...new Map(batch.map((e) => [e.id, e])).values()];
    socket.emit('events', batch);
    c.buffer = [];
  }
}, 250);

setInterval(() => {
  if (statsPaused) return;
  const s = stats();
  io.of('/live').emit('stats', s);
}, 1000);

http.listen(PORT, HOST, () => {
  console.log(
    `cadre UI fixture on http://${HOST}:${PORT}/wall  (/desk, /dev; ${topo.grids.length} grids, anonymous ${ANON ? 'on' : 'off'})`,
  );
  console.log('users: admin/admin, cs/cs (dispatcher CS), viewer/viewer');
});

/**
 * The Socket.IO `/live` client and the screen's live state. Messages are queued and applied together
 * at most once per animation frame: a storm of `events` batches costs one state update (and one
 * redraw) per frame, not one per transition.
 *
 * - `snapshot` replaces everything (active events, grid levels, stats, series).
 * - `events`: a transition replaces the held one only when its seq is newer; resolved/cleared
 *   transitions leave the active set.
 * - `stats` updates counters, appends/replaces the current minute of the series, and feeds the
 *   stale check: no `stats` for STALE_AFTER_MS — the server stopped, the network dropped, or the
 *   gateway lost its feed — and the screen says its data is stale, however the socket feels.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/live_protocol.js';
import { session } from './session.svelte.js';
import { isActive, levelIndex } from './levels.js';
import type {
  EventDoc,
  EventTransition,
  IncidentTransition,
  GridLevel,
  Level,
  Series,
  SeriesPoint,
  Snapshot,
  Stats,
} from './types.js';

export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

/** What a transition did, as the wall and the desk say it: a lift is an `updated` that raised the level. */
export type Change = EventTransition['transition'] | 'lifted';

export interface TickerRow {
  key: string;
  id: string;
  grid: string;
  level: Level;
  /** The level before, when this change moved it. */
  from?: Level;
  rule: EventTransition['rule'];
  transition: EventTransition['transition'];
  change: Change;
  at: string;
  /** The event's incident, when it is in one: its rows fold into the incident's (CONTRACT.md "Incidents"). */
  incidentId?: string;
  /** An incident's row (its latest transition): one row where its grids' events would be many. */
  incident?: IncidentTransition;
}

/** `stats` come once a second: three missed ones are a stale screen (shown within 4 s). */
export const STALE_AFTER_MS = 3000;
const TICKER_ROWS = 20;
const SERIES_MINUTES = 60;
/** Ended events whose last seq is remembered, so a late older transition cannot revive them. */
const ENDED_MEMORY = 20_000;

type Pending =
  | { kind: 'snapshot'; data: Snapshot }
  | { kind: 'events'; data: (EventTransition | IncidentTransition)[] }
  | { kind: 'stats'; data: Stats };

class LiveStore {
  status = $state<ConnState>('connecting');
  attempts = $state(0);
  /** Epoch ms (this browser's clock) of the last `stats` (or snapshot); null before the first. */
  lastStatsAt = $state<number | null>(null);
  /** The server's time of the last `stats`: "data as of". */
  dataAt = $state<string | null>(null);
  stats = $state.raw<Stats | null>(null);
  series = $state.raw<Series | null>(null);
  /** Active events in scope (open or acknowledged). */
  events = $state.raw<EventDoc[]>([]);
  /** Incidents heard of since the page loaded, by id: their latest transition. */
  incidents = $state.raw<Map<string, IncidentTransition>>(new Map());
  #incidents = new Map<string, IncidentTransition>();
  /** Grid id → worst active level and count; replaced (a new Map) when anything changed. */
  grids = $state.raw<Map<string, GridLevel>>(new Map());
  ticker = $state.raw<TickerRow[]>([]);
  /** True once the first snapshot arrived. */
  ready = $state(false);
  scope = $state<string | null>(null);

  #socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  #held = new Map<string, EventDoc>();
  #ended = new Map<string, number>();
  #byGrid = new Map<string, Set<string>>();
  #gridLevels = new Map<string, GridLevel>();
  #pending: Pending[] = [];
  #scheduled = false;
  #newRedListeners = new Set<(events: EventDoc[]) => void>();
  #retry: ReturnType<typeof setTimeout> | undefined;

  /** Connects (once); later calls only change the scope. `city` null = everything the user may see. */
  start(city: string | null = null): void {
    if (this.#socket) return this.setScope(city);
    this.scope = city;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io('/live', {
      path: '/socket.io',
      // WebSocket first: one connection to one gateway, so gateways side by side behind one address
      // need no sticky sessions (long-polling, the fallback, does: README "Scaling out").
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      auth: (cb) => cb(session.current?.token ? { token: session.current.token } : {}),
      reconnectionDelayMax: 5000,
    });
    this.#socket = socket;
    socket.on('connect', () => {
      this.status = 'connected';
      this.attempts = 0;
      if (this.scope !== null) socket.emit('subscribe', { city: this.scope });
    });
    socket.on('disconnect', (reason) => {
      this.status = 'reconnecting';
      // A server-side disconnect is not retried by socket.io itself.
      if (reason === 'io server disconnect') this.#retryLater();
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'unauthorized') {
        this.status = 'unauthorized';
        this.#retryLater(10_000);
      } else this.status = 'reconnecting';
    });
    socket.io.on('reconnect_attempt', (n) => (this.attempts = n));
    socket.on('snapshot', (data: Snapshot) => this.#enqueue({ kind: 'snapshot', data }));
    socket.on('events', (data: (EventTransition | IncidentTransition)[]) =>
      this.#enqueue({ kind: 'events', data }),
    );
    socket.on('stats', (data: Stats) => this.#enqueue({ kind: 'stats', data }));
  }

  setScope(city: string | null): void {
    if (city === this.scope) return;
    this.scope = city;
    this.ready = false;
    if (this.#socket?.connected) this.#socket.emit('subscribe', { city });
  }

  /** After login or logout: reconnect with the new token. */
  reconnect(): void {
    this.#socket?.disconnect().connect();
  }

  /** Called with the events that became red (new, or escalated to red) in one applied batch. */
  onNewRed(listener: (events: EventDoc[]) => void): () => void {
    this.#newRedListeners.add(listener);
    return () => this.#newRedListeners.delete(listener);
  }

  get(id: string): EventDoc | undefined {
    return this.#held.get(id);
  }

  #retryLater(ms = 2000): void {
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => this.#socket?.connect(), ms);
  }

  #enqueue(p: Pending): void {
    this.#pending.push(p);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // rAF keeps updates in step with painting; the timeout keeps a hidden tab (no frames) current.
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      this.#flush();
    };
    requestAnimationFrame(run);
    setTimeout(run, 250);
  }

  #flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = [];
    let eventsChanged = false;
    let incidentsChanged = false;
    let statsChanged: Stats | null = null;
    let series = this.series;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- this batch's scratch, dropped at its end; no template reads it
    const touchedGrids = new Set<string>();
    const ticker: TickerRow[] = [];
    const newRed: EventDoc[] = [];

    for (const p of pending) {
      if (p.kind === 'snapshot') {
        this.#applySnapshot(p.data);
        series = p.data.series ? trimSeries(p.data.series) : series;
        statsChanged = p.data.stats ?? statsChanged;
        eventsChanged = true;
        touchedGrids.clear();
        ticker.length = 0;
        newRed.length = 0;
        this.ready = true;
      } else if (p.kind === 'events') {
        for (const tr of p.data) {
          // Incidents come in the same batches (CONTRACT.md "Incidents"); they are kept apart.
          if (tr.kind === 'incident') {
            const applied = this.#applyIncident(tr);
            incidentsChanged = applied || incidentsChanged;
            if (applied && (tr.transition !== 'updated' || tr.levelFrom)) ticker.push(incidentRow(tr));
            continue;
          }
          const before = this.#held.get(tr.id);
          if (!this.#apply(tr)) continue;
          eventsChanged = true;
          touchedGrids.add(tr.grid);
          ticker.push(tickerRow(tr, before?.level));
          if (tr.level === 'red' && isActive(tr) && before?.level !== 'red') newRed.push(tr);
        }
      } else {
        statsChanged = p.data;
        if (p.data.point && series) series = withPoint(series, p.data.point);
      }
    }

    if (incidentsChanged) this.incidents = new Map(this.#incidents);
    if (eventsChanged) {
      for (const g of touchedGrids) this.#recomputeGrid(g);
      this.events = [...this.#held.values()];
      this.grids = new Map(this.#gridLevels);
    }
    if (ticker.length || incidentsChanged)
      this.ticker = mergeTicker(ticker, this.ticker, (rows) => this.#foldTicker(rows));
    if (statsChanged) {
      this.stats = statsChanged;
      this.lastStatsAt = Date.now();
      this.dataAt = statsChanged.at;
    }
    if (series !== this.series) this.series = series;
    if (newRed.length) for (const l of this.#newRedListeners) l(newRed);
  }

  #applySnapshot(s: Snapshot): void {
    this.#incidents = new Map((s.incidents ?? []).map((i) => [i.id, i]));
    this.incidents = new Map(this.#incidents);
    this.#held.clear();
    this.#byGrid.clear();
    this.#gridLevels.clear();
    for (const e of s.events) if (isActive(e)) this.#hold(e);
    for (const g of s.grids) this.#gridLevels.set(g.id, g);
    // Grids with held events but missing from the list still get their level.
    for (const gridId of this.#byGrid.keys()) if (!this.#gridLevels.has(gridId)) this.#recomputeGrid(gridId);
    const rows = this.#foldTicker([
      ...s.events.map((e) => tickerRow(e, undefined)),
      ...[...this.#incidents.values()].map((i) => incidentRow(i)),
    ]);
    this.ticker = rows.sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, TICKER_ROWS);
  }

  /**
   * The ticker's rows of an event in a known incident fold into the incident's row; an incident's
   * rows show its latest grids and level.
   */
  #foldTicker(rows: TickerRow[]): TickerRow[] {
    const out: TickerRow[] = [];
    for (const r of rows) {
      if (r.incident) {
        const latest = this.#incidents.get(r.incident.id);
        out.push(latest && latest !== r.incident ? { ...r, incident: latest } : r);
        continue;
      }
      const inc = r.incidentId ?? this.#held.get(r.id)?.incident;
      if (!inc || !this.#incidents.has(inc)) out.push(r);
    }
    return out;
  }

  /** Applies one transition; false when it is not newer than what is held. */
  /** An incident's newer transition replaces the one held; true when it did. */
  #applyIncident(tr: IncidentTransition): boolean {
    const held = this.#incidents.get(tr.id);
    if (held && held.seq >= tr.seq) return false;
    this.#incidents.set(tr.id, tr);
    return true;
  }

  #apply(tr: EventTransition): boolean {
    const held = this.#held.get(tr.id);
    const endedSeq = this.#ended.get(tr.id);
    if ((held && held.seq >= tr.seq) || (endedSeq !== undefined && endedSeq >= tr.seq)) return false;
    if (isActive(tr)) {
      if (held && held.grid !== tr.grid) this.#byGrid.get(held.grid)?.delete(tr.id);
      this.#hold(tr);
    } else {
      this.#held.delete(tr.id);
      this.#byGrid.get(tr.grid)?.delete(tr.id);
      this.#ended.set(tr.id, tr.seq);
      const oldest = this.#ended.keys().next().value;
      if (this.#ended.size > ENDED_MEMORY && oldest !== undefined) this.#ended.delete(oldest);
    }
    return true;
  }

  #hold(e: EventDoc): void {
    this.#held.set(e.id, e);
    let set = this.#byGrid.get(e.grid);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private index; the template reads `grids`, a new Map per batch
    if (!set) this.#byGrid.set(e.grid, (set = new Set()));
    set.add(e.id);
  }

  #recomputeGrid(gridId: string): void {
    const ids = this.#byGrid.get(gridId);
    let level: Level | null = null;
    let active = 0;
    for (const id of ids ?? []) {
      const e = this.#held.get(id);
      if (!e) continue;
      active++;
      if (levelIndex(e.level) < levelIndex(level)) level = e.level;
    }
    if (active === 0) this.#byGrid.delete(gridId);
    this.#gridLevels.set(gridId, { id: gridId, level, active });
  }
}

/** `updated` that raised the level is a lift; the level before is known when the event was held. */
export function changeOf(
  tr: Pick<EventTransition, 'transition' | 'level'>,
  before: Level | undefined,
): Change {
  if (tr.transition === 'updated' && before && levelIndex(tr.level) < levelIndex(before)) return 'lifted';
  return tr.transition;
}

function tickerRow(tr: EventTransition, before: Level | undefined): TickerRow {
  const change = changeOf(tr, before);
  return {
    key: `${tr.id}:${tr.seq}`,
    id: tr.id,
    grid: tr.grid,
    level: tr.level,
    ...(before && before !== tr.level ? { from: before } : {}),
    rule: tr.rule,
    transition: tr.transition,
    change,
    at: tr.at,
    ...(tr.incident ? { incidentId: tr.incident } : {}),
  };
}

/** An incident's ticker row; a snapshot's `updated` (grids joining) is shown as its opening. */
function incidentRow(tr: IncidentTransition): TickerRow {
  const transition = tr.transition as EventTransition['transition'];
  const change: Change = transition === 'updated' ? (tr.levelFrom ? 'lifted' : 'opened') : transition;
  const at = tr.transition === 'updated' && !tr.levelFrom ? tr.openedAt : tr.at;
  return {
    key: `${tr.id}:${tr.seq}`,
    id: tr.id,
    grid: tr.grids[0] ?? '',
    level: tr.level,
    ...(tr.levelFrom ? { from: tr.levelFrom } : {}),
    rule: 'outage',
    transition,
    change,
    at,
    incident: tr,
  };
}

/** Newest first; only the last rows of a big batch are ever visible, so only those are built. */
function mergeTicker(
  batch: TickerRow[],
  old: TickerRow[],
  fold: (rows: TickerRow[]) => TickerRow[],
): TickerRow[] {
  const fresh = fold(batch).slice(-TICKER_ROWS).reverse();
  const seen = new Set(fresh.map((r) => r.key));
  return [...fresh, ...fold(old.filter((r) => !seen.has(r.key)))].slice(0, TICKER_ROWS);
}

const SERIES_KEYS = ['red', 'orange', 'yellow', 'blue', 'escalated', 'lifted', 'input', 'lag'] as const;

function trimSeries(s: Series): Series {
  if (s.t.length <= SERIES_MINUTES) return s;
  const from = s.t.length - SERIES_MINUTES;
  const out = { t: s.t.slice(from) } as Series;
  for (const k of SERIES_KEYS) (out as unknown as Record<string, unknown[]>)[k] = (s[k] ?? []).slice(from);
  return out;
}

/** The current minute's point replaces the last column when it is the same minute, else appends. */
function withPoint(s: Series, p: SeriesPoint): Series {
  const last = s.t.length - 1;
  if (last >= 0 && p.t < s.t[last]) return s;
  const same = last >= 0 && s.t[last] === p.t;
  const out = { t: same ? [...s.t.slice(0, last), p.t] : [...s.t, p.t] } as Series;
  const cols = out as unknown as Record<string, unknown[]>;
  for (const k of SERIES_KEYS)
    cols[k] = same ? [...(s[k] ?? []).slice(0, last), p[k] ?? null] : [...(s[k] ?? []), p[k] ?? null];
  return trimSeries(out);
}

export const live = new LiveStore();

export interface ConnectionView {
  kind: ConnState | 'stale';
  attempts: number;
  ageMs: number;
  /**
   * True once data has been shown and no `stats` came for STALE_AFTER_MS, connected or not — or the
   * gateway's stats say no processor reported for that long (the gateway is up, the data frozen).
   */
  stale: boolean;
  /** Why: the feed to this screen, or the processor behind the gateway. */
  reason?: 'feed' | 'processor';
  /** The time the shown data is from (server time, ISO). */
  asOf: string | null;
}

/** Age of the processor's last report as the gateway saw it (its own clock on both sides). */
function processorAgeMs(): number {
  const s = live.stats;
  if (!s?.processedAt) return 0;
  return Math.max(0, Date.parse(s.at) - Date.parse(s.processedAt));
}

/** What the connection badge and the wall's stale state show. */
export function connectionView(now: number): ConnectionView {
  const age = live.lastStatsAt === null ? 0 : Math.max(0, now - live.lastStatsAt);
  const feedStale = live.lastStatsAt !== null && age > STALE_AFTER_MS;
  const procAge = processorAgeMs();
  const procStale = !feedStale && procAge > STALE_AFTER_MS;
  const stale = feedStale || procStale;
  const reason = feedStale ? 'feed' : procStale ? 'processor' : undefined;
  const asOf = procStale ? (live.stats?.processedAt ?? null) : live.dataAt;
  const ageMs = procStale ? procAge : age;
  if (live.status === 'connected' && live.ready && stale)
    return { kind: 'stale', attempts: 0, ageMs, stale, reason, asOf };
  return { kind: live.status, attempts: live.attempts, ageMs, stale, reason, asOf };
}

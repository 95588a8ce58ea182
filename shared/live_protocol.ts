/**
 * The Socket.IO `/live` protocol (CONTRACT.md "Live push"), typed once for both ends: the gateway's
 * `Server<ClientToServerEvents, ServerToClientEvents>` and the screens' `Socket<ServerToClientEvents,
 * ClientToServerEvents>`. What a client sends is still checked at run time (it is any client's).
 */
import type { Level } from './levels.js';
import type { EventTransition, IncidentTransition } from './schemas.js';
import type { EventDoc, LiveStats, Series } from './views.js';

/** A grid's colour on the map: the worst level of its active events (null: none), and their count. */
export interface GridLevel {
  id: string;
  level: Level | null;
  active: number;
}

/** On connect and after each `subscribe`: the active state of the screen's scope. */
export interface LiveSnapshot {
  events: EventDoc[];
  /** Active incidents (CONTRACT.md "Incidents"). */
  incidents: IncidentTransition[];
  grids: GridLevel[];
  stats: LiveStats;
  series: Series;
  at: string;
}

export type SubscribeAnswer = { ok: true } | { ok: false; error: string; message: string };

export interface ServerToClientEvents {
  snapshot(snapshot: LiveSnapshot): void;
  /** Transitions of events and incidents, batched (at most ~4 batches a second). */
  events(batch: (EventTransition | IncidentTransition)[]): void;
  stats(stats: LiveStats): void;
}

export interface ClientToServerEvents {
  /** Narrows the screen to one city (null: all it may read); a fresh snapshot follows. */
  subscribe(request: { city: string | null }, answer?: (a: SubscribeAnswer) => void): void;
}

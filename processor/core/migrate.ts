/**
 * Snapshots of earlier versions, brought up to the current one, so that upgrading cadre resumes from
 * the last checkpoint instead of refusing it. Each step turns version n into n + 1 on decoded state.
 */
import type { GridState } from './state.js';
import type { SeenJSON } from './seen.js';

export const SNAPSHOT_VERSION = 3;

type Decoded = Record<string, unknown> & { version: number };

interface V1Grid {
  alarms: Map<string, { ne: string; maintenance?: boolean }>;
  earlyClears?: unknown;
  lastIdBase?: Record<string, { base: string; n: number }>;
}

/**
 * 1 → 2. Duplicate keys were the time's text (now its instant): they are dropped, and JetStream's
 * own duplicate window covers a re-send in the first minutes after the upgrade. Clears that came
 * before their raise were kept as a time only: dropped. The KPI charts and complaint lists were kept
 * outside the core: they start empty. Everything else is derived from what was kept.
 */
function v1ToV2(s: Decoded): Decoded {
  const alarmGrid = new Map<string, string>();
  for (const [gridId, g] of s.grids as Map<string, V1Grid & Partial<GridState>>) {
    const downBy = new Map<string, number>();
    for (const [id, a] of g.alarms) {
      alarmGrid.set(id, gridId);
      if (!a.maintenance) downBy.set(a.ne, (downBy.get(a.ne) ?? 0) + 1);
    }
    const idBases = new Map<string, { n: number; at: number }>();
    for (const { base, n } of Object.values(g.lastIdBase ?? {})) idBases.set(base, { n, at: idTime(base) });
    delete g.earlyClears;
    delete g.lastIdBase;
    Object.assign(g, { downBy, idBases, complaintLog: [] });
  }
  return { ...s, version: 2, seen: [], alarmGrid, earlyClears: new Map() };
}

/** The opening second of an id base `<grid>.<rule>.yyyyMMddTHHmmss` (UTC). */
function idTime(base: string): number {
  const t = base.slice(-15);
  return Date.UTC(
    +t.slice(0, 4),
    +t.slice(4, 6) - 1,
    +t.slice(6, 8),
    +t.slice(9, 11),
    +t.slice(11, 13),
    +t.slice(13, 15),
  );
}

/**
 * 2 → 3. The duplicate memory kept alarms and KPI samples as key strings (`alarm:<id>:<state>:<ms>`,
 * `kpi:<ne>:<ms>`, shared/subjects.ts messageId); it keeps them as id and instant now. Ids may hold
 * ':', so a key is read from its end.
 */
function v2ToV3(s: Decoded): Decoded {
  const seen: SeenJSON = { keys: [], alarm: [], kpi: [] };
  for (const [index, keys] of s.seen as [number, string[]][]) {
    const other: string[] = [];
    const timed = { alarm: new Map<string, number[]>(), kpi: new Map<string, number[]>() };
    for (const key of keys) {
      const kind = key.startsWith('alarm:') ? 'alarm' : key.startsWith('kpi:') ? 'kpi' : undefined;
      if (!kind) {
        other.push(key);
        continue;
      }
      const timeAt = key.lastIndexOf(':');
      let id = key.slice(kind.length + 1, timeAt);
      let variant = 0;
      if (kind === 'alarm') {
        const stateAt = id.lastIndexOf(':');
        variant = id.slice(stateAt + 1) === 'raised' ? 0 : 1;
        id = id.slice(0, stateAt);
      }
      let instants = timed[kind].get(id);
      if (!instants) timed[kind].set(id, (instants = []));
      instants.push(Number(key.slice(timeAt + 1)) * 2 + variant);
    }
    if (other.length) seen.keys.push([index, other]);
    for (const kind of ['alarm', 'kpi'] as const)
      if (timed[kind].size) seen[kind].push([index, [...timed[kind]].map(([id, t]) => [id, instantsOf(t)])]);
  }
  return { ...s, version: 3, seen };
}

/** SeenJSON's form of an id's instants: one as a number, more as their list. */
function instantsOf(t: number[]): number | number[] {
  const [only] = t;
  return t.length === 1 && only !== undefined ? only : t;
}

const STEPS: Record<number, (s: Decoded) => Decoded> = { 1: v1ToV2, 2: v2ToV3 };

export function upgrade(s: Decoded): Decoded {
  while (s.version !== SNAPSHOT_VERSION) {
    const step = STEPS[s.version];
    if (!step) throw new Error(`cannot restore a core snapshot of version ${String(s.version)}`);
    s = step(s);
  }
  return s;
}

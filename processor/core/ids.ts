/**
 * Event ids: `<grid>.<rule>.<opening second>`, then `-2`, `-3`… for more events of one base. Made
 * from the input, not from a counter of the process, so a replay gives the same ids; the bases given
 * out are the grid's state (in the snapshot, one set per core), so an id is never given twice.
 */
import type { RuleName } from '../../shared/schemas.js';
import { formatTime } from '../../shared/time.js';
import type { GridState } from './state.js';

/** A grid's id bases are pruned once it holds more than this many (a few events a day is usual). */
const ID_BASES_PRUNE_AT = 32;

/**
 * The id of an event of `rule` opening at `at` in grid `grid` (state `g`). Bases older than the
 * duplicate horizon `maxAge` are forgotten: no event can open that far back.
 */
export function newEventId(g: GridState, grid: string, rule: RuleName, at: number, maxAge: number): string {
  const base = `${grid}.${rule}.${formatTime(at).slice(0, 19).replace(/[-:]/g, '')}`;
  const n = (g.idBases.get(base)?.n ?? 0) + 1;
  g.idBases.set(base, { n, at });
  if (g.idBases.size > ID_BASES_PRUNE_AT)
    for (const [key, used] of g.idBases) if (used.at < at - maxAge - 1000) g.idBases.delete(key);
  return n === 1 ? base : `${base}-${n}`;
}

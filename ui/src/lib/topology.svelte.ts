/** The province's cities and grids (GET /api/topology), loaded once and shared by every screen. */
import { api } from './api.js';
import type { City, GridInfo, Topology } from './types.js';

class TopologyStore {
  cities = $state.raw<City[]>([]);
  grids = $state.raw<GridInfo[]>([]);
  byId = $state.raw<Map<string, GridInfo>>(new Map());
  cityName = $state.raw<Map<string, string>>(new Map());
  error = $state<string | null>(null);
  #loading: Promise<void> | undefined;

  load(): Promise<void> {
    this.#loading ??= api.topology().then(
      (t: Topology) => {
        this.cities = t.cities;
        this.grids = t.grids;
        this.byId = new Map(t.grids.map((g) => [g.id, g]));
        this.cityName = new Map(t.cities.map((c) => [c.id, c.name]));
        this.error = null;
      },
      (err: Error) => {
        this.error = err.message;
        this.#loading = undefined;
        throw err;
      },
    );
    return this.#loading;
  }

  gridName(id: string): string {
    return this.byId.get(id)?.name ?? id;
  }
}

export const topology = new TopologyStore();

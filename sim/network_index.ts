/**
 * The lookups the traffic model and the scenarios need on top of config/topology.ts: elements by
 * kind, what hangs on what (site → cells, grid → sites), and districts.
 */
import type { Grid, NetworkElement, Topology } from '../config/topology.js';
import type { ElementKind } from '../shared/schemas.js';

export interface District {
  city: string;
  name: string;
  grids: readonly Grid[];
}

export class NetworkIndex {
  readonly byKind: Record<ElementKind, NetworkElement[]> = {
    core: [],
    site: [],
    cell: [],
    transport: [],
    power: [],
    other: [],
  };
  readonly districts: District[] = [];
  private readonly cellsBySite = new Map<string, NetworkElement[]>();

  constructor(readonly topology: Topology) {
    for (const e of topology.elements) this.byKind[e.kind].push(e);
    for (const cell of this.byKind.cell) {
      const site = siteIdOf(cell.id);
      if (site && topology.element(site)) {
        const list = this.cellsBySite.get(site) ?? [];
        list.push(cell);
        this.cellsBySite.set(site, list);
      }
    }
    const byName = new Map<string, District>();
    for (const g of topology.grids) {
      const key = `${g.city}/${g.district ?? g.city}`;
      let d = byName.get(key);
      if (!d) {
        d = { city: g.city, name: g.district ?? g.city, grids: [] };
        byName.set(key, d);
        this.districts.push(d);
      }
      (d.grids as Grid[]).push(g);
    }
  }

  cityOf(elementId: string): string {
    const e = this.topology.element(elementId);
    const grid = e && this.topology.grid(e.grid);
    if (!grid) throw new RangeError(`element ${elementId} is not in the topology`);
    return grid.city;
  }

  /** The cells a site carries (by the `…-BTSn` / `…-CELLm` naming; none for other topologies). */
  cellsOf(siteId: string): readonly NetworkElement[] {
    return this.cellsBySite.get(siteId) ?? [];
  }

  ofGrid(gridId: string, kind: ElementKind): NetworkElement[] {
    return this.topology.elementsOf(gridId).filter((e) => e.kind === kind);
  }

  district(city: string, name: string): District | undefined {
    return this.districts.find((d) => d.city === city && d.name === name);
  }
}

/** `X-CELL7` hangs on `X-BTS3`: cells 1–3 on BTS1, 4–6 on BTS2, … */
export function siteIdOf(cellId: string): string | undefined {
  const m = /^(.*)-CELL(\d+)$/.exec(cellId);
  return m ? `${m[1]}-BTS${Math.ceil(Number(m[2]) / 3)}` : undefined;
}

/**
 * Customer complaints: a daily curve (low at night, peaks about 10:00 and 20:00), spread over grids by
 * subscribers (grids with chronically bad cells draw more, and one housing estate draws many — the
 * seeds' "60+ repeat complaints in six months"), tiers 1–4 (2 / 8 / 25 / 65%), six categories, a
 * pool of repeat complainers, and now and then an escalated or media complaint. Located by grid, by
 * element or by a point inside the grid, as call-centre systems do.
 */
import type { Grid } from '../config/topology.js';
import { HOUR } from '../shared/time.js';
import {
  COMPLAINT_TEXT,
  COMPLAINT_WEIGHTS,
  complaintCurve,
  formatLocal,
  localHour,
  TIER_WEIGHTS,
  type SimComplaint,
  type TimedMessage,
} from './catalog.js';
import type { NetworkIndex } from './network_index.js';
import { Rng, WeightedTable } from './random.js';

export interface ComplaintModelOptions {
  seed: number;
  /** Mean complaints per hour over a day. */
  perHour: number;
  /** Cells with a chronic problem: their grids draw more complaints. */
  troubledCells?: readonly string[];
}

interface Customer {
  id: string;
  tier: 1 | 2 | 3 | 4;
  grid: Grid;
}

const REPEAT_SHARE = 0.15;
const REPEAT_POOL = 300;
const HOT_ESTATE_WEIGHT = 25;
/** Inside the hexagon's inscribed circle (apothem ~0.52 km), so the point is in the grid's polygon. */
const LOCATION_RADIUS_KM = 0.45;

export class ComplaintModel {
  private readonly grids: WeightedTable<Grid>;
  private readonly repeaters: Customer[];
  /** The estate that keeps calling. */
  readonly hotEstate: Grid | undefined;
  private readonly cache = new Map<number, TimedMessage[]>();

  constructor(
    private readonly index: NetworkIndex,
    private readonly options: ComplaintModelOptions,
  ) {
    const { topology } = index;
    const troubled = new Set((options.troubledCells ?? []).map((c) => topology.element(c)?.grid));
    const estates = topology.grids.filter(
      (g) => g.tier === 'general' && /(小区|花园|新村|家园)$/.test(g.name),
    );
    this.hotEstate = estates.length ? Rng.of(options.seed, 'hot-estate').pick(estates) : undefined;
    this.grids = new WeightedTable(
      topology.grids,
      (g) => g.subscribers * (g === this.hotEstate ? HOT_ESTATE_WEIGHT : troubled.has(g.id) ? 3 : 1),
    );
    const rng = Rng.of(options.seed, 'repeaters');
    this.repeaters = Array.from({ length: REPEAT_POOL }, () => ({
      id: customerId(rng),
      tier: rng.weighted(TIER_WEIGHTS),
      grid: this.grids.pick(rng),
    }));
  }

  between(from: number, to: number, origin: number): TimedMessage[] {
    const out: TimedMessage[] = [];
    for (let b = Math.floor(from / HOUR); b * HOUR < to; b++) {
      for (const m of this.hour(b)) if (m.time >= from && m.time < to && m.time >= origin) out.push(m);
    }
    for (const key of this.cache.keys()) if (key < Math.floor(from / HOUR)) this.cache.delete(key);
    return out;
  }

  private hour(bucket: number): TimedMessage[] {
    const cached = this.cache.get(bucket);
    if (cached) return cached;
    const start = bucket * HOUR;
    const rng = Rng.of(this.options.seed, 'complaints', bucket);
    const count = rng.poisson(this.options.perHour * complaintCurve(localHour(start + HOUR / 2)));
    const out: TimedMessage[] = [];
    for (let i = 0; i < count; i++) {
      const time = start + rng.int(0, 3599) * 1000;
      const repeat = rng.chance(REPEAT_SHARE);
      const customer = repeat
        ? rng.pick(this.repeaters)
        : { id: customerId(rng), tier: rng.weighted(TIER_WEIGHTS), grid: this.grids.pick(rng) };
      out.push(this.complaint(`CRM-${bucket}-${i + 1}`, time, customer, rng));
    }
    out.sort((a, b) => a.time - b.time);
    this.cache.set(bucket, out);
    return out;
  }

  private complaint(id: string, time: number, customer: Customer, rng: Rng): TimedMessage {
    const category = rng.weighted(COMPLAINT_WEIGHTS);
    const msg: SimComplaint = {
      type: 'complaint',
      id,
      time: formatLocal(time),
      customer: { id: customer.id, tier: customer.tier },
      category,
    };
    Object.assign(msg, locate(this.index, customer.grid, rng));
    if (rng.chance(customer.tier <= 2 ? 0.08 : 0.015)) msg.escalated = true;
    if (rng.chance(0.003)) msg.media = true;
    msg.text = rng.pick(COMPLAINT_TEXT[category]);
    return { time, city: customer.grid.city, msg };
  }
}

/** By grid (35%), by a cell of the grid (25%) or by a point inside it (40%). */
export function locate(
  index: NetworkIndex,
  grid: Grid,
  rng: Rng,
): Pick<SimComplaint, 'grid' | 'ne' | 'location'> {
  const how = rng.weighted([
    ['grid', 35],
    ['ne', 25],
    ['location', 40],
  ] as const);
  const cells = index.ofGrid(grid.id, 'cell');
  if (how === 'ne' && cells.length) return { ne: rng.pick(cells).id };
  if (how === 'location' && grid.center) return { location: pointNear(grid.center, rng) };
  return { grid: grid.id };
}

/** A point within LOCATION_RADIUS_KM of a centre, uniform over the disc, rounded to ~1 m. */
export function pointNear([lon, lat]: readonly [number, number], rng: Rng): { lon: number; lat: number } {
  const r = LOCATION_RADIUS_KM * Math.sqrt(rng.next());
  const a = 2 * Math.PI * rng.next();
  const dLat = (r * Math.sin(a)) / 111.32;
  const dLon = (r * Math.cos(a)) / (111.32 * Math.cos((lat * Math.PI) / 180));
  return { lon: Math.round((lon + dLon) * 1e5) / 1e5, lat: Math.round((lat + dLat) * 1e5) / 1e5 };
}

/** A CRM customer number (not a phone number: simulated people get no real numbers). */
function customerId(rng: Rng): string {
  return `CUST-${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
}

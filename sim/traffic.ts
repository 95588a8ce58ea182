/**
 * The province's background traffic as a pure function of time: given the topology, a seed and a
 * window [from, to), the KPI samples, alarms and complaints due in it, in time order. No IO, no
 * clock: the live simulator asks for the window that just passed on its clock, the file writer and the
 * benchmark generator walk simulated time. Any split of a span into windows gives the same messages.
 */
import type { Topology } from '../config/topology.js';
import type { TimedMessage } from './catalog.js';
import { AlarmModel } from './alarm_model.js';
import { ComplaintModel } from './complaint_model.js';
import { KPI_PERIOD_MS, KpiModel } from './kpi_model.js';
import { NetworkIndex } from './network_index.js';

export interface TrafficOptions {
  seed?: number;
  /**
   * Mean messages per second of the background: KPI samples (every cell every 15 minutes, a floor),
   * complaints and incidents at realistic intensities, and non-outage alarm noise filling the rest.
   * Default 20.
   */
  rate?: number;
  /** Mean complaints per hour; default 10 per 10,000 subscribers a month. */
  complaintsPerHour?: number;
  /** Mean district alarm storms a day; default 0.3. */
  stormsPerDay?: number;
  /** Share of cells that report KPIs; default 1 (all). */
  kpiShare?: number;
  /**
   * The start of the simulation: nothing raised before it is emitted, so no alarm clears that was
   * never raised. Default: none (a window sees everything due in it).
   */
  origin?: number;
}

export const DEFAULT_RATE = 20;
const COMPLAINTS_PER_10K_A_MONTH = 10;

export class TrafficModel {
  readonly index: NetworkIndex;
  readonly kpis: KpiModel;
  readonly alarms: AlarmModel;
  readonly complaints: ComplaintModel;
  /** Mean messages per second of each kind. */
  readonly rates: { kpi: number; complaint: number; alarmNoise: number };
  private readonly origin: number;

  constructor(topology: Topology, options: TrafficOptions = {}) {
    const seed = options.seed ?? 1;
    this.origin = options.origin ?? -Infinity;
    this.index = new NetworkIndex(topology);
    const cells = this.index.byKind.cell.map((cell) => ({ cell, city: this.index.cityOf(cell.id) }));
    this.kpis = new KpiModel(cells, { seed, reportingShare: options.kpiShare });
    const subscribers = topology.grids.reduce((sum, g) => sum + g.subscribers, 0);
    const complaintsPerHour =
      options.complaintsPerHour ?? (subscribers / 10_000) * (COMPLAINTS_PER_10K_A_MONTH / (30 * 24));
    this.complaints = new ComplaintModel(this.index, {
      seed,
      perHour: complaintsPerHour,
      troubledCells: this.kpis.chronicCells(),
    });
    const kpiRate = this.kpis.reportingCells / (KPI_PERIOD_MS / 1000);
    const complaintRate = complaintsPerHour / 3600;
    // Each noise episode is two messages (raise and clear).
    const noiseRate = Math.max(0, (options.rate ?? DEFAULT_RATE) - kpiRate - complaintRate);
    this.alarms = new AlarmModel(this.index, {
      seed,
      noisePerHour: (noiseRate * 3600) / 2,
      stormsPerDay: options.stormsPerDay ?? 0.3,
    });
    this.rates = { kpi: kpiRate, complaint: complaintRate, alarmNoise: noiseRate };
  }

  /** The messages due in [from, to) (epoch ms), by time; ties keep a fixed order. */
  between(from: number, to: number): TimedMessage[] {
    if (to <= from) return [];
    const out = [
      ...this.kpis.between(from, to, this.origin),
      ...this.alarms.between(from, to, this.origin),
      ...this.complaints.between(from, to, this.origin),
    ];
    return out.sort((a, b) => a.time - b.time);
  }
}

/**
 * The demo's script on top of the simulated province: a wall screen should show the product at work
 * within seconds, not after the first realistic hour. So the demo runs a busier (still plausible)
 * complaint rate, plays the scripted cases right away, and then one scripted case every few minutes.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '../config/topology.js';
import { startSimulation, type Simulation } from '../sim/simulate.js';
import { SCENARIOS } from '../sim/scenarios.js';

export interface DemoOptions {
  rate?: number;
  seed?: number;
  /** Wall-clock ms between scripted cases (default 3 min). */
  every?: number;
}

/**
 * Played at start: the province's usual mix within the first minute (red among orange, yellow and
 * blue), a key customer, the grid sweep case, the competitor comparison, a flapping element.
 */
const OPENING = ['mix', 'vip', 'shuguang', 'kpi-competitor', 'flapping'];

export function startDemo(nc: NatsConnection, topology: Topology, options: DemoOptions = {}): Simulation {
  const simulation = startSimulation({
    nc,
    topology,
    rate: options.rate,
    seed: options.seed,
    traffic: { complaintsPerHour: 240, stormsPerDay: 12 },
  });
  for (const name of OPENING) simulation.trigger(name);
  const cycle = Object.keys(SCENARIOS).filter((name) => name !== 'mix');
  let next = 0;
  const timer = setInterval(() => simulation.trigger(cycle[next++ % cycle.length]), options.every ?? 180_000);
  timer.unref();
  return {
    ...simulation,
    stop() {
      clearInterval(timer);
      return simulation.stop();
    },
  };
}

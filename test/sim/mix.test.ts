/**
 * The demo's opening mix, through the same replay the processor runs: within the first minute the
 * province shows red among orange, yellow and blue (it once showed 1–3 yellow events for 7 minutes).
 */
import { describe, expect, it } from 'vitest';
import { Topology } from '../../config/topology.js';
import { rulesFrom } from '../../config/load.js';
import { replay } from '../../processor/replay.js';
import { NetworkIndex } from '../../sim/network_index.js';
import { runScenario } from '../../sim/scenarios.js';
import { generateTopology } from '../../sim/topology_gen.js';
import type { EventTransition } from '../../shared/schemas.js';

const topology = new Topology(generateTopology({ seed: 1 }));
const START = Date.parse('2026-10-15T09:00:00+08:00');

describe('demo opening mix', () => {
  it('opens red, orange, yellow and blue events across the cities within the first minute', async () => {
    const run = runScenario('mix', { index: new NetworkIndex(topology), seed: 7, start: START });
    expect(Math.max(...run.messages.map((m) => m.time)) - START).toBeLessThan(60_000);
    const lines = run.messages.map((m) => JSON.stringify(m.msg));
    let out = '';
    let err = '';
    await replay(
      [
        {
          name: 'mix',
          lines: (async function* () {
            yield* lines;
          })(),
        },
      ],
      { rules: rulesFrom({}), topology },
      { out: (t) => void (out += t), err: (t) => void (err += t) },
    );
    expect(err).toBe('');
    const latest = new Map<string, EventTransition>();
    for (const line of out.trim().split('\n')) {
      const t = JSON.parse(line) as EventTransition;
      latest.set(t.id, t);
    }
    const byLevel = { red: 0, orange: 0, yellow: 0, blue: 0 };
    for (const t of latest.values()) if (Date.parse(t.openedAt) < START + 60_000) byLevel[t.level]++;
    expect(byLevel.red).toBeGreaterThanOrEqual(2);
    expect(byLevel.orange).toBeGreaterThanOrEqual(4);
    expect(byLevel.yellow).toBeGreaterThanOrEqual(6);
    expect(byLevel.blue).toBeGreaterThanOrEqual(2);
    expect(new Set([...latest.values()].map((t) => t.city)).size).toBeGreaterThanOrEqual(5);
  });
});

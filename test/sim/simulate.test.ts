import { describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Topology } from '../../config/topology.js';
import { normalize } from '../../contract/normalize.js';
import { messageId, STREAMS } from '../../shared/subjects.js';
import { startSimulation } from '../../sim/simulate.js';
import { generateTopology, SHUGUANG_GRID } from '../../sim/topology_gen.js';
import { useNats } from '../helpers/nats.js';

const nats = useNats();
const topology = new Topology(generateTopology({ seed: 1 }));

describe('live simulation', () => {
  it('publishes background and scenario messages into the input stream, with Nats-Msg-Id', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.add({ name: STREAMS.input.name, subjects: [...STREAMS.input.subjects] });
    const before = Date.now();
    const sim = startSimulation({ nc: nats.nc, topology, rate: 300, seed: 3, stepMs: 100 });
    sim.trigger('shuguang');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await sim.stop();
    const stats = sim.stats();
    // In the first second only raises: clears of the noise come 20 s and more later.
    expect(stats.published).toBeGreaterThan(80);
    expect(stats.scenarios.map((s) => s.name)).toEqual(['shuguang']);
    expect(stats.errors).toBe(0);

    const info = await jsm.streams.info(STREAMS.input.name);
    expect(info.state.messages).toBe(stats.published);
    const consumer = await jetstream(nats.nc).consumers.get(STREAMS.input.name);
    const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 5000 });
    let seen = 0;
    let shuguang = false;
    for await (const m of batch) {
      const [, , type, city] = m.subject.split('.');
      const body = m.json<Record<string, unknown>>();
      const result = normalize(body, type as 'alarm', topology);
      expect(result.ok).toBe(true);
      if (result.ok && result.input.type === 'alarm') {
        expect(result.input.city).toBe(city);
        // Event time is the wall clock at which the message fell due.
        expect(result.input.time).toBeGreaterThanOrEqual(before - 1000);
        expect(result.input.time).toBeLessThanOrEqual(Date.now());
        if (result.input.grid === SHUGUANG_GRID && String(body.id).startsWith('SIM-shuguang'))
          shuguang = true;
      }
      expect(m.headers?.get('Nats-Msg-Id')).toBe(messageId(type as 'alarm', body));
      if (++seen === info.state.messages) break;
    }
    expect(seen).toBe(info.state.messages);
    expect(shuguang).toBe(true);
  });
});

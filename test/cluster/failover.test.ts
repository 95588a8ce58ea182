/**
 * Failover on a real 3-node JetStream cluster: two `cadre processor` instances share the province's
 * seven cities, two gateways serve screens. Over a long input one processor is SIGKILLed (its cities
 * move to the other), then a NATS node is killed, then both come back (the returning processor takes
 * its share again). Every transition is stored exactly once with gap-free `seq`, identical to
 * `cadre replay` of the stored input (the fault suite's checker), and a screen on either gateway ends
 * showing exactly what the uninterrupted run leaves active.
 *
 * `CADRE_HA=long npm run test:cluster` runs a longer input.
 */
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Socket } from 'socket.io-client';
import { useCluster, startRole, readyz, clusterConfigDir, type RoleProcess } from '../helpers/cluster.js';
import { freePorts, type ClusterNode } from '../../broker/nats_cluster.js';
import { loadConfig } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { STREAMS, subjects } from '../../shared/subjects.js';
import { publishLines, streamCount, waitFor, waitSettled } from '../processor/live_helpers.js';
import { liveScreen } from '../helpers/screens.js';
import { provinceInput } from '../faults/stack.js';
import { activeDigest, check, expectClean, expectedOf, readAll, type ScreenView } from '../faults/checker.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LONG = process.env.CADRE_HA === 'long';
const fixture = useCluster();
const roles: RoleProcess[] = [];
const sockets: Socket[] = [];
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(roles.map((r) => r.kill()));
});

/** A wall screen: the active events it holds, as id:seq (ScreenView of the checker). */
function screen(name: string, url: string): ScreenView {
  const events = liveScreen(url, sockets);
  return {
    name,
    digest: () =>
      [...events.values()]
        // Events as the checker counts them (incidents share the batches: CONTRACT "Incidents").
        .filter((t) => (t as { kind?: string }).kind !== 'incident')
        .filter((t) => t.state === 'open' || t.state === 'acknowledged')
        .map((t) => `${t.id}:${t.seq}`)
        .sort(),
  };
}

/**
 * A failure's error carries the processors' last lines: CI keeps only the end of its log, where the
 * failed tests' errors are, not the output printed before them.
 */
const withLogs = <T>(step: Promise<T>): Promise<T> =>
  step.catch((err: Error) => {
    const tails = roles
      .filter((r) => r.name.startsWith('p'))
      .map(
        (r) =>
          `---- ${r.name}${r.exited ? ' (exited)' : ''}\n${r.output().split('\n').slice(-15).join('\n')}`,
      );
    err.message = `${err.message}\n${tails.join('\n')}`;
    throw err;
  });

const owned = async (p: RoleProcess): Promise<string[]> =>
  p.exited
    ? []
    : (((await readyz(p).catch(() => undefined))?.body.detail as { owned?: string[] })?.owned ?? []);

describe('two processors and two gateways on a 3-node cluster', () => {
  it('lose nothing and double nothing when a processor, then a NATS node, die and come back', async () => {
    // A retry starts from fresh roles and every node running (the cluster and what it stored stay).
    await Promise.all(roles.splice(0).map((r) => r.kill()));
    for (const node of fixture.cluster.nodes) if (!node.running) await node.start();
    let lastShare = '';
    onTestFailed(() => {
      console.log(`last owned: ${lastShare}`);
      for (const r of roles) console.log(`---- ${r.name}\n${r.output().slice(-5000)}`);
    });
    const { cluster, nc } = fixture;
    const [n1, n2, n3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const dir = clusterConfigDir(
      'processor:\n  partitions: cities\n  checkpointInterval: 0.5\n  batchSize: 200\n',
      {
        'access.yaml': 'anonymousViewer: true\n',
      },
    );
    const config = loadConfig(dir);
    await ensureStreams(nc, config);
    const lines = provinceInput(config, LONG ? 60 : 12);
    const cities = config.topology.cities.length;
    const [p1Port, p2Port, g1Port, g2Port] = (await freePorts(4)) as [number, number, number, number];
    const gatewayData = mkdtempSync(join(tmpdir(), 'cadre-gateways-'));
    const processor = (name: string, node: ClusterNode, port: number) =>
      startRole({ args: ['processor', '--no-ticks'], natsUrl: node.url, configDir: dir, port, name });
    const gateway = (name: string, node: ClusterNode, port: number) =>
      startRole({ args: ['gateway'], natsUrl: node.url, configDir: dir, port, dataDir: gatewayData, name });
    let p1 = await processor('p1', n1, p1Port);
    const p2 = await processor('p2', n2, p2Port);
    const g1 = await gateway('g1', n1, g1Port);
    const g2 = await gateway('g2', n3, g2Port);
    roles.push(p1, p2, g1, g2);
    const shared = async () => {
      const [a, b] = [await owned(p1), await owned(p2)];
      lastShare = `p1 [${a.join(',')}], p2 [${b.join(',')}] at ${new Date().toISOString()}`;
      return (
        a.length + b.length === cities &&
        new Set([...a, ...b]).size === cities &&
        a.length > 0 &&
        b.length > 0
      );
    };
    await withLogs(waitFor('the cities shared by both processors', shared, 60_000));
    for (const g of [g1, g2])
      await waitFor(`${g.name} ready`, async () => (await readyz(g)).status === 200, 60_000);
    const screens = [screen('g1', g1.url), screen('g2', g2.url)];

    const part = (from: number, to: number) =>
      lines.slice(Math.floor(lines.length * from), Math.floor(lines.length * to));
    // The broker may be electing: a count that cannot be read now is read again.
    const count = (stream: string) => streamCount(nc, stream).catch(() => -1);
    const events = () => count(STREAMS.events.name);
    /**
     * Publishes a share of the input and waits until CADRE_IN holds it — or, with a node down (a core
     * publish may then be lost), until it stops growing: the checker's reference is what was stored.
     */
    const publish = async (from: number, to: number) => {
      const chunk = part(from, to);
      for (let i = 0; i < chunk.length; i += 500)
        await publishLines(nc, config.topology, chunk.slice(i, i + 500), 'per-city').catch(() => undefined);
      let last = -2;
      await waitFor(
        'the input stored',
        async () => {
          const n = await count(STREAMS.input.name);
          const still = n === last && n >= 0;
          last = n;
          if (!still) await new Promise((r) => setTimeout(r, 1000));
          return still;
        },
        60_000,
      );
    };
    /**
     * The next transition of any of these cities; bounded, so a processor that never resumes fails
     * here. 150 s: nats-server 2.9.10 may place a new consumer on the node just killed until it finds
     * it gone, about 90 s after (broker/broker_waits.ts retryTimeouts) — 90 s was that edge.
     */
    const nextTransitionOf = (of: string[]) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          subs.forEach((s) => s.unsubscribe());
          reject(new Error(`no transition of ${of.join(',')} within 150 s`));
        }, 150_000);
        const subs = of.map((city) =>
          nc.subscribe(subjects.eventFilter(city), {
            callback: () => {
              clearTimeout(timer);
              subs.forEach((s) => s.unsubscribe());
              resolve();
            },
          }),
        );
      });

    await publish(0, 0.3);
    await waitFor('first transitions', async () => (await events()) > 0, 60_000);
    // SIGKILL: its leases expire after the ttl and the survivor takes its cities from their checkpoints.
    const moved = await owned(p1);
    const resumed = nextTransitionOf(moved);
    await p1.kill('SIGKILL');
    const killedAt = Date.now();
    await publish(0.3, 0.55);
    await withLogs(resumed);
    const failoverMs = Date.now() - killedAt;
    await waitFor('the survivor to own every city', async () => (await owned(p2)).length === cities, 60_000);

    // The node the survivor is connected to goes; it moves to another and carries on.
    const goesOn = nextTransitionOf(config.topology.cities.map((c) => c.id));
    await n2.kill();
    await publish(0.55, 0.75);
    await withLogs(goesOn);

    // Both come back; the returning processor takes its share from the other without a stop.
    p1 = await processor('p1', n1, p1Port);
    roles.push(p1);
    await n2.start();
    await cluster.ready();
    await withLogs(waitFor('the cities shared again', shared, 90_000));
    await publish(0.75, 1);

    // Settled: nothing more arrives, and both screens show what the uninterrupted run leaves active.
    await withLogs(waitSettled('the output to settle', events, 2000, 120_000));
    for (const r of [p2, g1, g2]) expect(r.exited, `${r.name} exited`).toBe(false);
    // Screens get coalesced batches about once a second: give them a moment to show the end state.
    const active = activeDigest(
      (await expectedOf(await readAll(nc, STREAMS.input.name), config)).transitions,
    );
    const same = (s: ScreenView) => JSON.stringify(s.digest()) === JSON.stringify(active);
    await waitFor('both screens to show the end state', () => screens.every(same), 20_000).catch(() => {
      for (const s of screens) {
        const d = s.digest();
        console.log(
          `${s.name}: missing ${active
            .filter((k) => !d.includes(k))
            .slice(0, 10)
            .join(' ')}; extra ${d
            .filter((k) => !active.includes(k))
            .slice(0, 10)
            .join(' ')}`,
        );
      }
    });
    const report = await check(nc, { config, screens, grids: [] });
    console.log(
      `HA failover: ${report.transitions} transitions; ${moved.join(',')} moved in ${failoverMs} ms; ` +
        `lost ${report.lost.length}, duplicated ${report.duplicated.length}, gaps ${report.gaps.length}`,
    );
    expect(report.transitions).toBeGreaterThan(500);
    expectClean(report);
  }, 600_000);
});

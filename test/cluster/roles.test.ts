/**
 * Every role on a real 3-node JetStream cluster outlives the broker's bad moments: started while the
 * cluster is still forming (no meta leader yet, every request timing out), and then the node each
 * role is connected to is killed in turn. The roles wait, say so in /readyz, and carry on: a
 * complaint sent after each kill reaches a screen on both gateways, and a dispatcher's action on one
 * gateway is seen live on the other. `npm test` kills the node of the processor, the ingest and one
 * gateway; `npm run test:cluster` then the other gateway's too.
 */
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Socket } from 'socket.io-client';
import { useCluster, startRole, readyz, clusterConfigDir, type RoleProcess } from '../helpers/cluster.js';
import { freePorts, type ClusterNode } from '../../broker/nats_cluster.js';
import { hashApiKey, hashPassword } from '../../shared/passwords.js';
import { loadConfig } from '../../config/load.js';
import type { EventTransition } from '../../shared/schemas.js';
import { waitFor } from '../processor/live_helpers.js';
import { liveScreen } from '../helpers/screens.js';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, subjects } from '../../shared/subjects.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LONG = process.env.CADRE_HA === 'long';
const fixture = useCluster({ noWait: true });
const KEY = 'ingest-key-for-the-cluster-test';
const roles: RoleProcess[] = [];
const sockets: Socket[] = [];
/** The try (vitest's retry: 1 makes a second): each sends its own complaints, on grids of its own. */
let attempt = 0;
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(roles.map((r) => r.kill()));
});

/** What a wall screen holds: the newest transition of each event it was shown. */
function screen(url: string): Map<string, EventTransition> {
  return liveScreen(url, sockets);
}

describe('roles on a 3-node cluster', () => {
  it('start while it forms, survive losing the node each is connected to, and keep gateways in step', async () => {
    const { cluster } = fixture;
    onTestFailed(() => {
      for (const r of roles) console.log(`---- ${r.name}\n${r.output().slice(-6000)}`);
    });
    // A retry (vitest's retry: 1) starts over: no roles of the failed try, every node running again,
    // and complaints the first try's did not touch (its own would be duplicates, dropped by CADRE_IN).
    attempt += 1;
    await Promise.all(roles.splice(0).map((r) => r.kill()));
    for (const node of cluster.nodes) if (!node.running) await node.start();
    const [n1, n2] = cluster.nodes as [ClusterNode, ClusterNode];
    const access = [
      'anonymousViewer: true',
      `users: [{name: disp, passwordHash: "${await hashPassword('pw')}", role: dispatcher, cities: [CS, XT, ZZ, HY, YY, CD, CZ]}]`,
      `apiKeys: [{name: omc, keyHash: ${hashApiKey(KEY)}, role: ingest}]`,
    ].join('\n');
    const dir = clusterConfigDir('processor:\n  partitions: cities\n  checkpointInterval: 1s\n', {
      'access.yaml': access,
    });
    const topology = loadConfig(dir).topology;
    const [pPort, g1Port, g2Port, iPort] = (await freePorts(4)) as [number, number, number, number];
    const gatewayData = mkdtempSync(join(tmpdir(), 'cadre-gateways-'));
    // Each role is given one node; it learns the others from the cluster and moves when that one dies.
    const started = await Promise.all([
      startRole({ args: ['processor'], natsUrl: n1.url, configDir: dir, port: pPort }),
      startRole({
        args: ['gateway'],
        natsUrl: n1.url,
        configDir: dir,
        port: g1Port,
        dataDir: gatewayData,
        name: 'g1',
      }),
      startRole({
        args: ['gateway'],
        natsUrl: n2.url,
        configDir: dir,
        port: g2Port,
        dataDir: gatewayData,
        name: 'g2',
      }),
      startRole({ args: ['ingest'], natsUrl: n1.url, configDir: dir, port: iPort }),
    ]);
    roles.push(...started);
    const [processor, g1, g2, ingest] = started as [RoleProcess, RoleProcess, RoleProcess, RoleProcess];
    const alive = () => {
      for (const r of roles) expect(r.exited, `${r.name} exited:\n${r.output()}`).toBe(false);
    };

    // While the cluster forms the processor is up, but not ready, and says why.
    const early = await readyz(processor);
    if (early.status === 503)
      expect((early.body.detail as { waiting: string[] }).waiting.length).toBeGreaterThan(0);
    await waitFor(
      'the processor to own every city',
      async () => {
        const r = await readyz(processor);
        return (
          r.status === 200 && (r.body.detail as { owned: string[] }).owned.length === topology.cities.length
        );
      },
      90_000,
    );
    for (const g of [g1, g2])
      await waitFor(`${g.name} ready`, async () => (await readyz(g)).status === 200, 60_000);
    alive();

    const screens = [screen(g1.url), screen(g2.url)];
    const send = async (id: string, grid: string) => {
      const body = JSON.stringify([
        { id, time: new Date().toISOString(), customer: { id: `C-${id}`, tier: 2 }, grid, category: 'data' },
      ]);
      await waitFor(
        `ingest of ${id}`,
        async () => {
          const res = await fetch(`${ingest.url}/api/ingest/complaints`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
            body,
          }).catch(() => undefined);
          return res?.status === 202;
        },
        60_000,
      );
    };
    const shows = (s: Map<string, EventTransition>, id: string, state: string) =>
      [...s.values()].some((t) => t.evidence.complaints.includes(id) && t.state === state);
    const onBothScreens = (id: string, grid: string, state = 'open') =>
      waitFor(
        `${id} ${state} on both screens`,
        () => screens.every((s) => shows(s, id, state)),
        60_000,
      ).catch(async (err: Error) => {
        // Where it stopped: in the processor, on the broker, or on the way to a screen.
        const city = topology.grids.find((g) => g.id === grid)!.city;
        const stored = await jetstreamManager(fixture.nc)
          .then((jsm) =>
            jsm.streams.getMessage(STREAMS.events.name, { last_by_subj: subjects.event(city, grid) }),
          )
          .then((m) => (m ? m.string().slice(0, 400) : 'none'))
          .catch((e: Error) => `unreadable: ${e.message}`);
        const metrics = await fetch(`${processor.url}/metrics`)
          .then((r) => r.text())
          .then((t) => t.split('\n').filter((l) => /^cadre_(processor_lag|processed_total)/.test(l)))
          .catch(() => []);
        err.message += `\nscreens: ${screens.map((s) => shows(s, id, state)).join(' ')}\nlast on CADRE_EVENTS for ${grid}: ${stored}\nprocessor /readyz: ${JSON.stringify(await readyz(processor).catch(() => undefined))}\n${metrics.join('\n')}`;
        throw err;
      });

    for (const [i, node] of (LONG ? [n1, n2] : [n1]).entries()) {
      await node.kill();
      const grid = topology.grids.filter((g) => g.city === topology.cities[i]!.id)[attempt - 1]!.id;
      const id = `HA-${i}-${node.name}-${attempt}`;
      await send(id, grid);
      await onBothScreens(id, grid);
      if (i === 0) {
        // A dispatcher acts on one gateway; the other one's screen shows it live.
        const login = await fetch(`${g1.url}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'disp', password: 'pw' }),
        });
        const { token } = (await login.json()) as { token: string };
        const event = [...screens[0]!.values()].find((t) => t.evidence.complaints.includes(id))!;
        // Sent again only while nobody has seen it: a command that timed out may still be applied.
        const answers: number[] = [];
        await waitFor(
          'the ack on the first gateway',
          async () => {
            if (screens[0]!.get(event.id)?.state === 'acknowledged') return true;
            const res = await fetch(`${g1.url}/api/events/${encodeURIComponent(event.id)}/ack`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: '{}',
            });
            answers.push(res.status);
            if (res.status < 500) expect(res.status, answers.join(' ')).toBe(200);
            else await new Promise((r) => setTimeout(r, 1000));
            return res.status === 200;
          },
          60_000,
        );
        await waitFor(
          'the ack on the other gateway',
          () => screens[1]!.get(event.id)?.state === 'acknowledged',
          30_000,
        );
      }
      await node.start();
      await cluster.ready();
      alive();
    }
    expect((await readyz(processor)).body.detail).toMatchObject({ owned: expect.any(Array) });
    // The processor role is observable on its own; a gateway without one shows no lag at all, not 0.
    const metrics = async (r: RoleProcess) => (await fetch(`${r.url}/metrics`)).text();
    // A partition restarted from its checkpoint (a lease lost meanwhile) shows its lag from its first
    // second of stats on.
    const own = await waitFor(
      'the lag of CS on /metrics',
      async () => {
        const text = await metrics(processor);
        return /^cadre_processor_lag_seconds\{partition="CS"\} /m.test(text) ? text : undefined;
      },
      15_000,
    );
    expect(own).toMatch(/^cadre_processed_total\{type="complaint"\} [1-9]/m);
    expect(own).toMatch(/^cadre_events_total\{/m);
    expect(await metrics(g1)).not.toMatch(/^cadre_processor_lag_seconds/m);
    alive();
  }, 300_000);
});

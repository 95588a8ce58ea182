/**
 * Two processors that both believe they own the partition: the owner is SIGSTOPped in the middle of
 * a backlog, its lease expires, the standby takes over and goes on; then the paused one is resumed,
 * still holding its old state, its unwritten outputs and its old lease revision, long after the
 * other's writes left JetStream's duplicate window. It writes nothing: its lease is no longer surely
 * its own (fencing), its checkpoint renewal is refused at the revision it holds, and it gives the
 * partition up. What it had handed to its socket before the pause went with its connection, which the
 * server closed as stale (ping interval below the duplicate window: docs/architecture.md).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type RunningNatsServer } from '../../broker/nats_server.js';
import { startRole, readyz, type RoleProcess } from '../helpers/cluster.js';
import { freePorts } from '../../broker/nats_cluster.js';
import { loadConfig } from '../../config/load.js';
import { ensureStreams } from '../../broker/streams.js';
import { STREAMS } from '../../shared/subjects.js';
import { configDir, publishLines, streamCount, waitFor, waitSettled } from '../processor/live_helpers.js';
import { provinceInput } from '../faults/stack.js';
import { check, expectClean } from '../faults/checker.js';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server that closes a client silent for ~3 s, within the 8 s duplicate window the test sets. */
const nats = {} as { server: RunningNatsServer; url: string; nc: NatsConnection };
beforeAll(async () => {
  const conf = join(mkdtempSync(join(tmpdir(), 'cadre-fencing-')), 'nats.conf');
  writeFileSync(conf, 'ping_interval: "1s"\nping_max: 2\n');
  nats.server = await startNatsServer({ args: ['-c', conf] });
  nats.url = nats.server.url;
  nats.nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nats.nc?.close();
  await nats.server?.stop();
});
const roles: RoleProcess[] = [];
afterAll(async () => {
  for (const r of roles) if (!r.exited) r.child.kill('SIGCONT');
  await Promise.all(roles.map((r) => r.kill()));
});

describe('a paused owner resumed after its lease expired', () => {
  it('writes nothing: no transition doubled, none lost', async () => {
    onTestFailed(() => {
      for (const r of roles) console.log(`---- ${r.name}\n${r.output().slice(-5000)}`);
    });
    const dir = configDir({
      'cadre.yaml': [
        'nats:',
        '  eventsDuplicateWindow: 8s',
        'processor:',
        '  checkpointInterval: 0.5',
        '  batchSize: 200',
        'leases:',
        '  ttl: 4s',
        '  renewInterval: 0.25s',
        '',
      ].join('\n'),
    });
    copyFileSync(new URL('../../config/topology.json', import.meta.url).pathname, join(dir, 'topology.json'));
    const config = loadConfig(dir);
    await ensureStreams(nats.nc, config);
    const lines = provinceInput(config, 12);
    const part = (from: number, to: number) =>
      lines.slice(Math.floor(lines.length * from), Math.floor(lines.length * to));
    const events = () => streamCount(nats.nc, STREAMS.events.name);
    const owns = async (r: RoleProcess) =>
      ((await readyz(r)).body.detail as { owned: string[] }).owned.includes('all');

    const [aPort, bPort] = (await freePorts(2)) as [number, number];
    const start = (name: string, port: number) =>
      startRole({ args: ['processor', '--no-ticks'], natsUrl: nats.url, configDir: dir, port, name });
    const a = await start('a', aPort);
    roles.push(a);
    await waitFor('a to own the partition', () => owns(a), 30_000);
    const b = await start('b', bPort);
    roles.push(b);
    await waitFor('b up, standing by', async () => (await readyz(b)).status === 200, 30_000);
    expect(await owns(b)).toBe(false);

    // A backlog, and `a` stopped in the middle of it: outputs computed, not all written.
    await publishLines(nats.nc, config.topology, part(0, 0.5));
    await waitFor('a busy with the backlog', async () => (await events()) > 50, 60_000);
    a.child.kill('SIGSTOP');
    await waitFor('b to take over', () => owns(b), 30_000);
    await publishLines(nats.nc, config.topology, part(0.5, 0.8));
    const before = await events();
    await waitFor('b to go on', async () => (await events()) > before, 60_000);
    await new Promise((r) => setTimeout(r, 10_000)); // b's outputs past the duplicate window

    // `a` wakes up believing it owns the partition, with input waiting for it.
    a.child.kill('SIGCONT');
    await waitFor('a to give the partition up', () => /gave up the partition/.test(a.output()), 30_000);
    await publishLines(nats.nc, config.topology, part(0.8, 1));
    await waitSettled('the output to settle', events, 1500, 120_000);
    expect(a.exited || b.exited).toBe(false);
    expect(await owns(b)).toBe(true);
    expect(await owns(a)).toBe(false);
    const report = await check(nats.nc, { config, grids: [] });
    expect(report.transitions).toBeGreaterThan(300);
    // It did try: outputs computed after the pause were refused by its own fence, not by luck.
    expect(a.output()).toMatch(
      /not written, the partition's lease is no longer ours|checkpoint skipped: the lease is lost|its lease lapsed before it was renewed/,
    );
    expectClean(report);
  }, 300_000);
});
